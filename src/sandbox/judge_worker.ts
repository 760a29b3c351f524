/**
 * The judge's worker: the fresh interpreter in which the candidate's code runs (started by {@link JUDGE_PY} with
 * its own kernel limits, no way to create processes, stdout and stderr to /dev/null). It speaks one JSON line per
 * message with the judge over two pipes:
 *
 * - `{"op": "load", "program": ...}`: runs the program (the test imports, the candidate's code and the name
 *   aliasing) as `__main__`, then answers `{"ok": true, "names": {name: value}}` with the module's names (data as
 *   values, functions and classes as handles, imported modules as `{"m": name}`), or `{"ok": false, "error": type
 *   name}`.
 * - `{"op": "call", "h": n, "args": [...], "kwargs": {...}}`: calls handle `n` under a CPU-time alarm
 *   (ITIMER_PROF, `sec` seconds) and answers with the return value and the arguments after the call (for
 *   functions that change their arguments in place), or the exception's type name (`timeout` when the alarm
 *   fired).
 * - `{"op": "getattr", "h": n, "name": ...}`: an attribute of handle `n`.
 *
 * Whatever it answers is data ({@link CODEC_PY}): the judge compares it with the expected values itself. The worker
 * never learns the tests' expected values or the judge's nonce.
 */
export const WORKER_PY = String.raw`
import os, sys, signal

def _pyramid_worker():
    proto_in = os.fdopen(os.dup(0), "rb", buffering=0)
    proto_out = os.fdopen(os.dup(1), "wb", buffering=0)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    table = []
    ids = {}
    def other(v):
        key = id(v)
        if key not in ids:
            ids[key] = len(table)
            table.append(v)
        return {"h": ids[key]}
    def handle(n):
        return table[n]
    def send(msg):
        proto_out.write(json.dumps(msg).encode() + b"\n")
    def alarm(*_):
        raise TimeoutError("test time limit exceeded")
    signal.signal(signal.SIGPROF, alarm)
    ns = {"__name__": "__main__", "__builtins__": __builtins__, "__file__": "candidate.py"}
    reader = _Lines(proto_in)
    while True:
        line = reader.next()
        if not line:
            return
        msg = json.loads(line)
        op = msg.get("op")
        try:
            if op == "load":
                with open("candidate.py", "w", encoding="utf-8") as f:
                    f.write(msg["program"])
                code = compile(msg["program"], "candidate.py", "exec")
                exec(code, ns)
                names = {}
                for k, v in list(ns.items()):
                    if k.startswith("__"):
                        continue
                    if type(v).__name__ == "module":
                        names[str(k)] = {"m": str(getattr(v, "__name__", ""))}
                        continue
                    try:
                        names[str(k)] = enc(v, other)
                    except Exception:
                        names[str(k)] = other(v)
                    if len(names) >= 2000:
                        break
                send({"ok": True, "names": names})
            elif op == "call":
                f = handle(msg["h"])
                args = [dec(a, handle) for a in msg["args"]]
                kwargs = {str(k): dec(v, handle) for k, v in msg["kwargs"].items()}
                signal.setitimer(signal.ITIMER_PROF, msg["sec"])
                try:
                    value = f(*args, **kwargs)
                finally:
                    signal.setitimer(signal.ITIMER_PROF, 0)
                after = []
                for a in args:
                    try:
                        after.append(enc(a, other) if isinstance(a, (list, dict, set, bytearray)) else None)
                    except Exception:
                        after.append(None)
                send({"ok": True, "value": enc(value, other), "after": after})
            elif op == "getattr":
                send({"ok": True, "value": enc(getattr(handle(msg["h"]), str(msg["name"])), other)})
            else:
                send({"ok": False, "error": "ProtocolError"})
        except BaseException as e:
            signal.setitimer(signal.ITIMER_PROF, 0)
            try:
                name = type(e).__name__
                send({"ok": False, "error": name if isinstance(name, str) else "Exception", "timeout": isinstance(e, TimeoutError)})
            except BaseException:
                return

class _Lines:
    def __init__(self, raw):
        self.raw = raw
        self.buf = b""
    def next(self):
        while b"\n" not in self.buf:
            chunk = self.raw.read(65536)
            if not chunk:
                return None
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return line

_pyramid_worker()
`;
