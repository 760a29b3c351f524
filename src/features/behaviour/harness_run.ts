/**
 * The Python that runs one candidate against the probes (after {@link PROBE_EXTRACTION_PY} has found them), in
 * the sandbox: it compiles the candidate's code (`syntax` on failure), runs it as `__main__` with its prints
 * captured and a CPU-time alarm (`crash` on any exception, `sys.exit` included), then calls each probe and
 * prints one JSON report after a marker line. The candidate runs in its own namespace, apart from the harness.
 *
 * Mapping a probe call to the candidate's function (members name functions differently):
 * 1. the function of the probe's name, when the candidate defines it at the top level and the call binds to it;
 * 2. else the candidate's main function: its top-level functions that no other of its functions calls (the last
 *    defined first), then its other functions (the last defined first); the first whose signature accepts the
 *    call's arguments (`inspect.signature(f).bind`). No function accepts them: the result is `?unmapped`.
 * Argument order: when the function that the probe's author called has the same parameter names as the mapped
 * function in another order, the arguments are reordered by name. Else, when the call raises and its 2-3
 * positional arguments all have different types, the other orders are tried and the first that returns is kept.
 *
 * A result is a canonical text of the return value (floats to 6 decimals, sets and dicts sorted; with the
 * arguments after the call when it returns None, for in-place functions; with anything printed), or `!` and the
 * exception's type. Each call gets a deep copy of the arguments and a CPU-time alarm (ITIMER_PROF).
 */
export const PROBE_RUN_PY = String.raw`
import ast, builtins, copy, inspect, io, itertools, json, math, re, signal, sys

def main(cfg):
    real_out = sys.stdout
    report = {"probes": [], "status": "ok", "error": None, "results": [], "claimed": [], "claims": []}
    me = cfg.get("self")
    try:
        probes = extract(cfg)
    except Exception as e:
        probes = []
        report["error"] = "probe extraction: " + type(e).__name__
    report["probes"] = [p["key"] for p in probes]
    # A claim is the output a member wrote down for a call in its own example; only this candidate's own count.
    own_claims = [[c for c in p.get("claims", []) if c.get("by") == me] for p in probes]
    report["claimed"] = [bool(own) for own in own_claims]
    sink = io.StringIO()
    def alarm(*_):
        raise TimeoutError("time limit")
    signal.signal(signal.SIGPROF, alarm)
    ns = {"__name__": "__main__", "__builtins__": builtins}
    try:
        code = compile(cfg["code"], "candidate.py", "exec")
    except BaseException as e:
        report["status"] = "syntax"
        report["error"] = type(e).__name__
        emit(real_out, cfg["marker"], report)
        return
    sys.stdout = sink
    try:
        signal.setitimer(signal.ITIMER_PROF, cfg["moduleSec"])
        exec(code, ns)
    except BaseException as e:
        report["status"] = "crash"
        report["error"] = type(e).__name__
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        sys.stdout = real_out
    if report["status"] != "ok":
        emit(real_out, cfg["marker"], report)
        return
    fns = [v for v in list(ns.values()) if inspect.isfunction(v) and getattr(v.__code__, "co_filename", None) == "candidate.py"]
    used = set()
    for f in fns:
        used.update(f.__code__.co_names)
    roots = [f for f in fns if f.__name__ not in used] or fns
    order = list(reversed(roots)) + [f for f in reversed(fns) if f not in roots]
    for p, own in zip(probes, own_claims):
        text, value, ok = call_probe(p, ns, fns, order, cfg)
        report["results"].append(text)
        report["claims"].append(meets_claims(own, value, ok) if own else None)
    emit(real_out, cfg["marker"], report)

def emit(out, marker, report):
    out.write("\n" + marker + "\n" + json.dumps(report) + "\n")
    out.flush()

def binds(f, args, kwargs):
    try:
        inspect.signature(f).bind(*args, **kwargs)
        return True
    except (TypeError, ValueError):
        return False

def positional_names(f):
    try:
        ps = inspect.signature(f).parameters.values()
    except (TypeError, ValueError):
        return None
    return [p.name for p in ps if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]

def pick(p, ns, fns, order):
    args, kwargs = p["args"], p["kwargs"]
    f = ns.get(p["name"])
    if f in fns and binds(f, args, kwargs):
        return f
    for f in order:
        if binds(f, args, kwargs):
            return f
    return None

def call_probe(p, ns, fns, order, cfg):
    f = pick(p, ns, fns, order)
    if f is None:
        return "?unmapped", None, False
    args = list(p["args"])
    names = positional_names(f)
    src = p.get("params")
    # Same parameter names in another order: align by name.
    if src and names and len(src) == len(args) and len(names) >= len(args):
        mine = names[: len(args)]
        if sorted(mine) == sorted(src) and mine != src and len(set(src)) == len(src):
            args = [args[src.index(n)] for n in mine]
    result, value, failed = invoke(f, args, p["kwargs"], cfg)
    # Failed with arguments of different types: another order may be what this function expects.
    if failed and 2 <= len(args) <= 3 and not p["kwargs"] and len({type(a).__name__ for a in args}) == len(args):
        for perm in itertools.permutations(range(len(args))):
            if list(perm) == list(range(len(args))):
                continue
            alt = [args[i] for i in perm]
            r2, v2, failed2 = invoke(f, alt, {}, cfg)
            if not failed2:
                return r2, v2, True
    return result, value, not failed

def shown(text):
    return " ".join(str(text).split()).strip("'\"")

def meets_claims(claims, value, ok):
    # Whether the call returned what one of its claims wrote down (canonical value, or what print shows).
    if not ok:
        return False
    try:
        mine = canon(value)
        printed = shown(value)
    except BaseException:
        return False
    for c in claims:
        if c.get("canon") is not None and c["canon"] == mine:
            return True
        if c.get("shown") is not None and shown(c["shown"]) == printed:
            return True
        if "num" in c and type(value) in (int, float) and math.isfinite(value) and abs(value - c["num"]) <= c["tol"] * 1.000001 + 1e-12:
            return True
    return False

def invoke(f, args, kwargs, cfg):
    a = copy.deepcopy(args)
    k = copy.deepcopy(kwargs)
    real = sys.stdout
    buf = io.StringIO()
    sys.stdout = buf
    try:
        signal.setitimer(signal.ITIMER_PROF, cfg["probeSec"])
        value = f(*a, **k)
        signal.setitimer(signal.ITIMER_PROF, 0)
        text = canon(value)
        if value is None:
            text += ";args=" + canon(a)
        printed = buf.getvalue()
        if printed:
            text += ";out=" + printed[:200]
        return text[:400], value, False
    except BaseException as e:
        signal.setitimer(signal.ITIMER_PROF, 0)
        if isinstance(e, (KeyboardInterrupt,)):
            raise
        return "!" + type(e).__name__, None, True
    finally:
        sys.stdout = real

def canon(x, depth=0):
    if depth > 20:
        return "..."
    t = type(x)
    if t is float:
        if math.isnan(x) or math.isinf(x):
            return repr(x)
        return "f" + repr(round(x, 6))
    if t is bool or x is None or t is int or t is str or t is bytes:
        return repr(x)
    if t is list or t is tuple:
        return ("[" if t is list else "(") + ",".join(canon(v, depth + 1) for v in x[:200]) + ("]" if t is list else ")")
    if t is set or t is frozenset:
        return "{" + ",".join(sorted(canon(v, depth + 1) for v in x)) + "}"
    if t is dict:
        return "{" + ",".join(sorted(canon(k, depth + 1) + ":" + canon(v, depth + 1) for k, v in x.items())) + "}"
    try:
        if inspect.isgenerator(x) or t.__name__ in ("map", "filter", "zip", "range", "enumerate"):
            return t.__name__ + canon(list(itertools.islice(x, 200)), depth + 1)
    except BaseException:
        pass
    try:
        return t.__name__ + ":" + repr(x)[:200]
    except BaseException:
        return t.__name__
`;
