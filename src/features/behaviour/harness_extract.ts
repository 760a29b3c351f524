/**
 * The Python that finds probe inputs in the texts the user has at inference time: the candidates' outputs and
 * the prompt, never any gold test. Probes are calls, with literal arguments, of a function that some candidate
 * defines at its top level:
 * - in fenced code that parses: calls in top-level statements (and in `if`/`for`/`with`/`try` blocks, not in
 *   function bodies), where a name bound earlier in the block to a literal counts as that literal
 *   (`s = "a b"; print(f(s))`); docstrings of the defined functions (`>>> f(3)`) are read as text;
 * - in prose, code that does not parse and docstrings: every `name(...)` with balanced brackets that parses as a
 *   call with literal arguments (`def name(` excluded).
 * Probes are keyed by name and canonical arguments, deduplicated, in source order (members first, then the
 * prompt), and capped at `maxProbes`. Each probe also keeps the outputs written down for it (claims: `assert f(x) ==
 * y`, `print(f(x))  # Output: y` or a variable bound to the call, a doctest `>>> f(x)` then `y`), with the index of
 * the source that wrote each. It reads only the texts, so every run finds the same probes.
 */
export const PROBE_EXTRACTION_PY = String.raw`
# ---- probe extraction (identical in every run: it reads only the texts) ----

class NotLiteral(Exception):
    pass

def value_of(node, env):
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        items = [value_of(e, env) for e in node.elts]
        return list(items) if isinstance(node, ast.List) else tuple(items) if isinstance(node, ast.Tuple) else set(items)
    if isinstance(node, ast.Dict):
        if any(k is None for k in node.keys):
            raise NotLiteral()
        return {value_of(k, env): value_of(v, env) for k, v in zip(node.keys, node.values)}
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = value_of(node.operand, env)
        if type(v) not in (int, float, complex):
            raise NotLiteral()
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.Name) and node.id in env:
        return copy.deepcopy(env[node.id])
    raise NotLiteral()

def defined_names(cfg):
    names = set()
    for src in cfg["sources"]:
        for block in src["blocks"]:
            try:
                tree = ast.parse(block)
                for st in tree.body:
                    if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        names.add(st.name)
            except SyntaxError:
                for m in re.finditer(r"(?m)^def\s+([A-Za-z_]\w*)\s*\(", block):
                    names.add(m.group(1))
    return names

def params_of(cfg):
    # Parameter names of each source's top-level functions (to align argument order by name).
    out = []
    for src in cfg["sources"]:
        table = {}
        for block in src["blocks"]:
            try:
                tree = ast.parse(block)
            except SyntaxError:
                continue
            for st in tree.body:
                if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef)) and st.name not in table:
                    table[st.name] = [a.arg for a in st.args.posonlyargs + st.args.args]
        out.append(table)
    return out

def make_probe(call, env, names, params, found):
    if not (isinstance(call.func, ast.Name) and call.func.id in names):
        return
    try:
        if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
            return
        args = [value_of(a, env) for a in call.args]
        kwargs = {k.arg: value_of(k.value, env) for k in call.keywords}
    except (NotLiteral, TypeError, ValueError, RecursionError):
        return
    if not args and not kwargs:
        return
    key = call.func.id + "(" + ",".join([canon(a) for a in args] + [k + "=" + canon(v) for k, v in sorted(kwargs.items())]) + ")"
    if key not in found:
        found[key] = {"key": key, "name": call.func.id, "args": args, "kwargs": kwargs, "params": params.get(call.func.id), "claims": []}
    return key

# ---- claims: the output an author wrote down for a call of its example ----

CLAIM_PREFIX = re.compile(r"^(?:(?:the\s+)?(?:expected\s+)?(?:output|outputs|result|returns?|prints?|gives|should\s+(?:print|return|output|be))\s*(?:is|:|=)?\s*|->\s*|=>\s*|==\s*)", re.I)

def claim_of(text, shown_only_after_prefix):
    # A claim {"canon", "shown"} from the text after a call (a comment, a doctest line), or None. Text that is not a
    # literal is taken as what print shows (compared with str(value)) only after an "Output:"-like prefix, when
    # shown_only_after_prefix (a comment such as "# test with a list" claims nothing).
    text = text.strip()
    bare = CLAIM_PREFIX.sub("", text, count=1).strip()
    prefixed = bare != text
    if not bare or len(bare) > 300:
        return None
    try:
        value = ast.literal_eval(bare)
        claim = {"canon": canon(value), "shown": bare}
        if type(value) in (int, float) and math.isfinite(value):
            # A written-down number stands for any value that rounds to it at its printed precision.
            places = len(bare.split(".", 1)[1]) if "." in bare and "e" not in bare.lower() else 0
            claim["num"] = float(value)
            claim["tol"] = 0.5 * 10 ** -places if type(value) is float else 0.0
        return claim
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        pass
    if shown_only_after_prefix and not prefixed:
        return None
    return {"canon": None, "shown": bare}

def add_claim(found, key, claim, source):
    # Keeps the claim on the probe with the index of the source (member) that wrote it down (at most 4 per probe).
    if key is None or claim is None or key not in found:
        return
    claims = found[key]["claims"]
    claim = dict(claim, by=source)
    if len(claims) < 4 and claim not in claims:
        claims.append(claim)

def literal_claim(node, env):
    try:
        value = value_of(node, env)
    except (NotLiteral, TypeError, ValueError, RecursionError):
        return None
    return {"canon": canon(value), "shown": None}

def comment_after(lines, st):
    # The comment ending the statement's last line, or the comment-only line right after it.
    end = getattr(st, "end_lineno", None)
    if not end or end > len(lines):
        return None
    rest = lines[end - 1][st.end_col_offset :] if st.end_col_offset is not None else ""
    m = re.match(r"\s*#\s*(.*)$", rest)
    if m and m.group(1).strip():
        return m.group(1)
    if end < len(lines):
        m = re.match(r"^\s*#\s*(.*)$", lines[end])
        if m and CLAIM_PREFIX.match(m.group(1).strip()):
            return m.group(1)
    return None

def calls_in(node):
    # Calls in a statement, not inside nested function or class bodies or lambdas.
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Call):
            yield n
        for child in ast.iter_child_nodes(n):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                continue
            stack.append(child)

def scan_statements(body, env, names, params, found, texts, lines, bound, source):
    for st in body:
        if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            doc = ast.get_docstring(st, clean=False)
            if doc:
                texts.append(doc)
            continue
        calls = sorted(calls_in(st), key=lambda c: (c.lineno, c.col_offset))
        keys = {id(c): make_probe(c, env, names, params, found) for c in calls}
        try:
            scan_claims(st, env, found, lines, bound, keys, source)
        except Exception:
            # A claim that cannot be read is no claim; it never costs the probes.
            pass
        if isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name):
            target = st.targets[0].id
            bound.pop(target, None)
            if isinstance(st.value, ast.Call) and keys.get(id(st.value)):
                bound[target] = keys[id(st.value)]
            try:
                env[target] = value_of(st.value, env)
            except (NotLiteral, TypeError, ValueError, RecursionError):
                env.pop(target, None)
        for field in ("body", "orelse", "finalbody"):
            inner = getattr(st, field, None)
            if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                scan_statements(inner, env, names, params, found, texts, lines, bound, source)
        for h in getattr(st, "handlers", []) or []:
            scan_statements(h.body, env, names, params, found, texts, lines, bound, source)

def scan_claims(st, env, found, lines, bound, keys, source):
    # assert f(x) == y (or y == f(x)); print(f(x)) or print(r), r = f(x), with the output in a comment.
    if isinstance(st, ast.Assert) and isinstance(st.test, ast.Compare) and len(st.test.ops) == 1 and isinstance(st.test.ops[0], ast.Eq):
        left, right = st.test.left, st.test.comparators[0]
        for call, other in ((left, right), (right, left)):
            if isinstance(call, ast.Call) and keys.get(id(call)):
                add_claim(found, keys[id(call)], literal_claim(other, env), source)
        return
    if isinstance(st, ast.Expr) and isinstance(st.value, ast.Call) and isinstance(st.value.func, ast.Name) and st.value.func.id == "print" and len(st.value.args) == 1 and not st.value.keywords:
        arg = st.value.args[0]
        key = keys.get(id(arg)) if isinstance(arg, ast.Call) else bound.get(arg.id) if isinstance(arg, ast.Name) else None
        if key:
            comment = comment_after(lines, st)
            if comment is not None:
                add_claim(found, key, claim_of(comment, True), source)

def closing(text, start):
    depth, quote, i = 0, None, start
    while i < len(text) and i < start + 2000:
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return i
        elif ch == "\n" and depth > 0 and text[i - 1 : i] == "\n":
            return -1
        i += 1
    return -1

DOCTEST = re.compile(r"(?m)^[ \t]*>>>[ \t]*(.+)\n[ \t]*(?!>>>|\.\.\.|\"\"\"|\'\'\')(\S[^\n]*)$")

def scan_doctests(text, names, params, found, source):
    # >>> f(x) followed by the output line.
    for m in DOCTEST.finditer(text):
        try:
            node = ast.parse(m.group(1).strip(), mode="eval").body
        except SyntaxError:
            continue
        if isinstance(node, ast.Call):
            key = make_probe(node, {}, names, params, found)
            try:
                add_claim(found, key, claim_of(m.group(2), False), source)
            except Exception:
                pass

def scan_text(text, names, params, found, source):
    if not names:
        return
    scan_doctests(text, names, params, found, source)
    pattern = re.compile(r"(?<![\w.])(" + "|".join(sorted(map(re.escape, names))) + r")\s*\(")
    for m in pattern.finditer(text):
        before = text[max(0, m.start() - 4) : m.start()]
        if before.endswith("def "):
            continue
        end = closing(text, m.end() - 1)
        if end < 0:
            continue
        try:
            node = ast.parse(text[m.start() : end + 1].replace("\n", " "), mode="eval").body
        except SyntaxError:
            continue
        if isinstance(node, ast.Call):
            make_probe(node, {}, names, params, found)

def extract(cfg):
    names = defined_names(cfg)
    params = params_of(cfg)
    found = {}
    for i, src in enumerate(cfg["sources"]):
        table = params[i] if i < len(params) else {}
        texts = [src["prose"]]
        for block in src["blocks"]:
            try:
                tree = ast.parse(block)
            except SyntaxError:
                texts.append(block)
                continue
            scan_statements(tree.body, {}, names, table, found, texts, block.split("\n"), {}, i)
        for t in texts:
            scan_text(t, names, table, found, i)
    return list(found.values())[: cfg["maxProbes"]]
`;
