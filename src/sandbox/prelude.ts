/**
 * The Python prelude run by the sandbox before the candidate code (`python3 -c PRELUDE CONFIG`).
 *
 * It first arranges to die with its parent (`prctl(PR_SET_PDEATHSIG, SIGKILL)` through ctypes, Linux, and
 * an exit if the parent is already gone) and sets `alarm(wall limit + 2 s)`, whose default action
 * terminates the process even when it sleeps and the parent is gone (code that resets SIGALRM can cancel
 * this backstop, not the death signal). It reads a one-time token and the code from stdin as JSON (stdin is then
 * at EOF, so `input()` fails fast), writes the code to `candidate.py` in its cwd, applies the
 * resource limits with `resource.setrlimit` (CPU, address space, file size, processes, open files,
 * no core dumps), installs an audit hook (PEP 578) that refuses process creation (`os.system`,
 * `subprocess`, `fork`, `exec`, `posix_spawn`), `ctypes`, sockets, signals to other processes,
 * any write, rename, delete or permission change outside the working directory, and, outside it, opening
 * `/proc/<pid>/environ` (any pid, `self`, `thread-self`), common secret files (`.env*`, `.netrc`, `.npmrc`,
 * `.git-credentials`, `.pgpass`, `.pypirc`, anything under `.ssh`, `.aws`, `.gnupg`, `.docker`, `.kube`)
 * or a directory (a `dir_fd` would let a relative name escape the check). It also counts the directory
 * entries the code creates (files, directories, links) and refuses more than `maxFiles`; then compiles and
 * runs `candidate.py` as `__main__`. Only when the code ran to its end does it print the token, so a
 * candidate that calls `sys.exit(0)` or `os._exit(0)` before the tests does not pass.
 *
 * The audit hook is defense in depth, not a security boundary (PEP 578 says so; code can find and clear it): the
 * boundaries are bubblewrap, the uid drop and the rlimits. Nor is the token a verdict: the code runs in this
 * interpreter and can find it; graders use the judge (`JUDGE_PY` (`judge_py.ts`)).
 */
export const PYTHON_PRELUDE = String.raw`
import sys, os, json, resource

def _pyramid_sandbox():
    cfg = json.loads(sys.argv[1])
    # Die with the parent (Linux): if Node is SIGKILLed, nothing else would end a sleeping child.
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, 9, 0, 0, 0)  # PR_SET_PDEATHSIG, SIGKILL
    except Exception:
        pass
    if cfg.get("ppid") and os.getppid() != cfg["ppid"]:
        os._exit(137)  # the parent died before the line above
    if cfg.get("alarm"):
        import signal
        signal.alarm(cfg["alarm"])  # default action of SIGALRM: terminate, whatever the CPU time used
    job = json.loads(sys.stdin.read())
    token = job["token"]
    with open("candidate.py", "w", encoding="utf-8") as f:
        f.write(job["code"])
    source = job["code"]
    del job
    R = resource
    def limit(kind, soft, hard=None):
        R.setrlimit(kind, (soft, soft if hard is None else hard))
    limit(R.RLIMIT_CPU, cfg["cpu"], cfg["cpu"] + 1)
    limit(R.RLIMIT_AS, cfg["mem"])
    limit(R.RLIMIT_FSIZE, cfg["fsize"])
    limit(R.RLIMIT_NPROC, cfg["nproc"])
    limit(R.RLIMIT_NOFILE, cfg["nofile"])
    limit(R.RLIMIT_CORE, 0)
    root = os.path.realpath(os.getcwd())
    code = compile(source, "candidate.py", "exec")
    blocked = {
        "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
        "subprocess.Popen", "pty.spawn", "ctypes.dlopen", "ctypes.dlsym", "ctypes.cdata",
        "ctypes.call_function", "socket.connect", "socket.bind", "socket.sendto",
        "socket.sendmsg", "os.kill", "os.killpg", "signal.pthread_kill", "os.setuid", "os.chroot",
    }
    path_events = {
        "os.remove": (0,), "os.rename": (0, 1), "os.rmdir": (0,), "os.mkdir": (0,),
        "os.chmod": (0,), "os.chown": (0,), "os.link": (0, 1), "os.symlink": (0, 1),
        "os.truncate": (0,), "os.utime": (0,), "shutil.rmtree": (0,), "shutil.copyfile": (1,),
        "shutil.copytree": (1,), "shutil.move": (0, 1), "os.mkfifo": (0,), "os.mknod": (0,),
    }
    creating = {"os.mkdir": 0, "os.symlink": 1, "os.link": 1, "os.mkfifo": 0, "os.mknod": 0}
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
    realpath, join, sep = os.path.realpath, os.path.join, os.sep
    busy = [False]
    def inside(p):
        if isinstance(p, int):
            return True
        if isinstance(p, bytes):
            p = os.fsdecode(p)
        if not isinstance(p, str):
            p = os.fspath(p)
        full = realpath(p)  # relative to the real cwd, which the code may have changed
        return full == root or full.startswith(root + sep)
    created = [0]
    max_files = cfg.get("files", 100)
    def create(p):
        # Counts a new directory entry (file, dir, link, fifo); past the cap, refuses it.
        if isinstance(p, int):
            return
        if isinstance(p, bytes):
            p = os.fsdecode(p)
        if not isinstance(p, str):
            p = os.fspath(p)
        if os.path.lexists(p):
            return
        if created[0] >= max_files:
            raise PermissionError("sandbox: too many files created (limit " + str(max_files) + ")")
        created[0] += 1
    secret_names = {".env", ".netrc", ".npmrc", ".git-credentials", ".pgpass", ".pypirc", "environ"}
    secret_dirs = {".ssh", ".aws", ".gnupg", ".docker", ".kube"}
    def secret(p):
        # Outside the working directory: /proc/*/environ (any pid, self, thread-self, task/*), .env*,
        # .netrc, .npmrc, .git-credentials, .pgpass, .pypirc, anything under .ssh, .aws, .gnupg, .docker
        # or .kube; and any directory (the way to a dir_fd, with which a relative name escapes the check).
        if isinstance(p, int):
            return False
        if isinstance(p, bytes):
            p = os.fsdecode(p)
        if not isinstance(p, str):
            p = os.fspath(p)
        real = realpath(p)
        if real == root or real.startswith(root + sep):
            return False
        if os.path.isdir(real):
            return True
        for form in (p, os.path.abspath(p), real):
            parts = form.split(sep)
            base = parts[-1]
            if base in secret_names or base.startswith(".env."):
                return True
            if any(part in secret_dirs for part in parts[:-1]):
                return True
        return False
    def hook(event, args):
        if busy[0]:
            return
        if event in blocked:
            raise PermissionError("sandbox: " + event + " is not allowed")
        if event == "open":
            path, mode, flags = args
            if path is None:
                return
            busy[0] = True
            try:
                refused = secret(path)
            finally:
                busy[0] = False
            if refused:
                raise PermissionError("sandbox: reading secrets outside the working directory is not allowed: " + str(path))
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & write_flags)
            if writing:
                busy[0] = True
                try:
                    ok = inside(path)
                finally:
                    busy[0] = False
                if not ok:
                    raise PermissionError("sandbox: writing outside the working directory is not allowed: " + str(path))
                if (isinstance(flags, int) and flags & os.O_CREAT) or (
                        isinstance(mode, str) and any(c in mode for c in "wax")):
                    busy[0] = True
                    try:
                        create(path)
                    finally:
                        busy[0] = False
            return
        where = path_events.get(event)
        if where is not None:
            busy[0] = True
            try:
                ok = all(inside(args[i]) for i in where if i < len(args) and args[i] is not None)
            finally:
                busy[0] = False
            if not ok:
                raise PermissionError("sandbox: " + event + " outside the working directory is not allowed")
            if event in creating:
                busy[0] = True
                try:
                    create(args[creating[event]])
                finally:
                    busy[0] = False
    if cfg.get("audit", True):
        sys.addaudithook(hook)
    sys.argv = ["candidate.py"]
    return code, token

def _pyramid_run(pair):
    code, token = pair
    scope = {"__name__": "__main__", "__builtins__": __builtins__, "__file__": "candidate.py"}
    exec(code, scope)
    try:
        sys.stdout.flush()
    except Exception:
        pass
    os.write(1, ("\n" + token + "\n").encode())

_pyramid_run(_pyramid_sandbox())
`;
