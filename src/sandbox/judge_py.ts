/**
 * The judge: the trusted process that runs a task's tests against a candidate whose code runs in another, fresh
 * interpreter ({@link WORKER_PY}). Started inside the sandbox as `python -c CODEC+JUDGE CONFIG`, it
 *
 * 1. makes itself non-dumpable (`prctl(PR_SET_DUMPABLE, 0)`: no other process of its uid can ptrace it or open its
 *    `/proc/<pid>/mem` or `/proc/<pid>/fd`), arranges to die with its parent and sets an alarm backstop;
 * 2. reads its job from stdin (a per-run nonce, the candidate program, the tests), then starts the worker with
 *    `subprocess` (fork + exec of a fresh interpreter: none of the judge's memory, nonce or tests survive the exec),
 *    with the kernel limits of the job applied in between (RLIMIT_CPU, RLIMIT_AS, RLIMIT_FSIZE, RLIMIT_NOFILE,
 *    RLIMIT_NPROC 0: no fork, no threads; no core), only two pipes shared, and stdout/stderr to /dev/null;
 * 3. loads the program in the worker, puts the worker's names in its own namespace (data as data, functions and
 *    classes as opaque proxies; never over a builtin or a test import, and a standard module's name is always the
 *    real module), and runs each test (the benchmark's asserts, trusted) here: a call of a proxy is
 *    a message to the worker and its result comes back as plain data ({@link CODEC_PY});
 * 4. prints one line `NONCE {"passed": ..., "reason": ..., "test": i}` on its own stdout, which the worker does not
 *    share. The nonce is never in the worker's address space, and nothing the candidate defines runs here.
 *
 * So the candidate can exit early, patch builtins, walk frames or the gc, return an object equal to everything, or
 * print anything: the verdict is computed and written by a process it cannot reach.
 */
export const JUDGE_PY = String.raw`
import builtins, importlib, os, subprocess, sys, resource

def _judge():
    cfg = json.loads(sys.argv[1])
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 0
        libc.prctl(1, 9, 0, 0, 0)  # PR_SET_PDEATHSIG = SIGKILL
    except Exception:
        pass
    if cfg.get("ppid") and os.getppid() != cfg["ppid"]:
        os._exit(137)
    if cfg.get("alarm"):
        import signal
        signal.alarm(cfg["alarm"])
    job = json.loads(sys.stdin.read())
    nonce = job.pop("nonce")
    out = sys.stdout
    def verdict(passed, reason, test=None):
        out.write("\n" + nonce + " " + json.dumps({"passed": passed, "reason": reason, "test": test}) + "\n")
        out.flush()
    lim = job["limits"]
    def limits():
        R = resource
        R.setrlimit(R.RLIMIT_CPU, (lim["cpu"], lim["cpu"] + 1))
        R.setrlimit(R.RLIMIT_AS, (lim["mem"], lim["mem"]))
        R.setrlimit(R.RLIMIT_FSIZE, (lim["fsize"], lim["fsize"]))
        R.setrlimit(R.RLIMIT_NOFILE, (lim["nofile"], lim["nofile"]))
        R.setrlimit(R.RLIMIT_NPROC, (lim["nproc"], lim["nproc"]))
        R.setrlimit(R.RLIMIT_CORE, (0, 0))
    worker = subprocess.Popen(
        [sys.executable, "-s", "-P", "-B", "-S", "-c", job.pop("worker")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        close_fds=True, preexec_fn=limits, env=dict(job.pop("env"), HOME=os.getcwd()), cwd=os.getcwd(),
    )
    R = resource
    R.setrlimit(R.RLIMIT_NPROC, (0, 0))
    R.setrlimit(R.RLIMIT_FSIZE, (1 << 20, 1 << 20))
    R.setrlimit(R.RLIMIT_AS, (lim["judgeMem"], lim["judgeMem"]))
    class WorkerGone(Exception):
        pass
    class RemoteError(Exception):
        pass
    proxies = {}
    def handle(n):
        p = proxies.get(n)
        if p is None:
            p = proxies[n] = Remote(n)
        return p
    def other(v):
        if type(v) is Remote:
            return {"h": object.__getattribute__(v, "_h")}
        raise TypeError("cannot send a " + type(v).__name__ + " to the candidate")
    def ask(msg):
        try:
            worker.stdin.write(json.dumps(msg).encode() + b"\n")
            worker.stdin.flush()
        except (BrokenPipeError, OSError):
            raise WorkerGone()
        line = worker.stdout.readline(lim["reply"])
        if not line.endswith(b"\n"):
            raise WorkerGone()
        reply = json.loads(line)
        if type(reply) is not dict:
            raise ValueError("bad reply")
        if reply.get("ok") is not True:
            if reply.get("timeout") is True:
                raise TimeoutError("test time limit exceeded")
            name = str(reply.get("error"))
            kind = getattr(builtins, name, None)
            if isinstance(kind, type) and issubclass(kind, Exception) and kind.__module__ == "builtins":
                raise kind("raised by the candidate")
            raise RemoteError(name)
        return reply
    def call(h, args, kwargs):
        reply = ask({"op": "call", "h": h, "args": [enc(a, other) for a in args],
                     "kwargs": {str(k): enc(v, other) for k, v in kwargs.items()}, "sec": job["perTestSec"]})
        after = reply.get("after")
        if type(after) is list and len(after) == len(args):
            for a, new in zip(args, after):
                if new is None:
                    continue
                v = dec(new, handle)
                if type(a) is list and type(v) is list:
                    a[:] = v
                elif type(a) is dict and isinstance(v, dict):
                    a.clear()
                    a.update(v)
                elif type(a) is set and type(v) is set:
                    a.clear()
                    a.update(v)
        return dec(reply["value"], handle)
    class Remote:
        __slots__ = ("_h",)
        def __init__(self, h):
            object.__setattr__(self, "_h", h)
        def __call__(self, *args, **kwargs):
            return call(object.__getattribute__(self, "_h"), args, kwargs)
        def __getattr__(self, name):
            return dec(ask({"op": "getattr", "h": object.__getattribute__(self, "_h"), "name": name})["value"], handle)
        def __repr__(self):
            return "<candidate object %d>" % object.__getattribute__(self, "_h")
    g = {"__name__": "__main__", "__builtins__": builtins}
    i = None
    try:
        for line in job["setup"]:
            exec(compile(line, "<setup>", "exec"), g)
        loaded = ask({"op": "load", "program": job["program"]})
        names = loaded.get("names")
        if type(names) is not dict:
            raise ValueError("bad names")
        for k, v in names.items():
            if type(k) is not str or k in g or hasattr(builtins, k):
                # Never shadow what the tests rely on: their own imports and the builtins (a candidate's
                # top-level set = lambda *a: 1 would make assert set(f(x)) == set(...) pass).
                continue
            if k in sys.stdlib_module_names:
                # A standard module's name is always the real module (a test using math.isclose without importing
                # math must not get the candidate's object bound to the name math).
                try:
                    g[k] = importlib.import_module(k)
                except ImportError:
                    pass
                continue
            if type(v) is dict and set(v) == {"m"}:
                # A module the candidate imported under another name: the judge imports its own copy, standard
                # library only (sys.path has no writable directory: -P, no site).
                name = str(v["m"])
                if name.split(".")[0] in sys.stdlib_module_names:
                    g[k] = importlib.import_module(name)
                continue
            g[k] = dec(v, handle)
        for i, test in enumerate(job["tests"]):
            exec(compile(test, "<test %d>" % i, "exec"), g)
    except WorkerGone:
        worker.kill()
        verdict(False, "worker:" + str(worker.wait()), i)
        return
    except TimeoutError:
        verdict(False, "timeout", i)
    except AssertionError:
        verdict(False, "assert", i)
    except BaseException as e:
        verdict(False, "error:" + type(e).__name__, i)
    else:
        verdict(True, None, None)
    worker.kill()
    worker.wait()

_judge()
`;
