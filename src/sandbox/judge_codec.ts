/**
 * The value codec shared by the judge and its worker ({@link JUDGE_PY}, {@link WORKER_PY}): Python values cross
 * the process boundary as tagged JSON, and only plain data is ever rebuilt from it, so nothing the candidate
 * defines (a class, an `__eq__`, a `__bool__`) runs in the judge.
 *
 * - `None`, `bool`, `int`, `float` (NaN and infinities included), `str`: JSON values (subclasses are sent as the
 *   base value: an `int` whose `__eq__` is always true arrives as a plain int).
 * - `list`: a JSON array; `tuple` (and named tuples): `{"t": [...]}`; `set`/`frozenset`: `{"s"|"f": [...]}`;
 *   `dict` (and `Counter`, `OrderedDict`, `defaultdict`, rebuilt as their class): `{"d": [[k, v], ...], "k": class}`;
 *   `deque`: `{"q": [...]}`; `bytes`/`bytearray`: `{"b"|"y": latin-1 text}`; `complex`: `{"c": [re, im]}`;
 *   `range`: `{"r": [start, stop, step]}`; `Fraction`: `{"F": [n, d]}`; `Decimal`: `{"D": text}`.
 * - Iterators and generators: `{"g": [items]}`, rebuilt as an iterator over the items (so `list(f(x))` works and
 *   `f(x) == [..]` is false, as in one interpreter); at most 100,000 items.
 * - Anything else (functions, classes, instances of the candidate's classes): a handle `{"h": n}` naming the object
 *   in the worker's table; the judge holds an opaque proxy that can only be called, read an attribute of, or passed
 *   back. Two proxies are equal only when they are the same handle.
 */
export const CODEC_PY = String.raw`
import json, collections, fractions, decimal, math

_MAX_ITEMS = 100000
_KINDS = {"Counter": collections.Counter, "OrderedDict": collections.OrderedDict}

def enc(v, other, depth=0):
    if depth > 200:
        raise ValueError("value nested too deep")
    if v is None or v is True or v is False:
        return v
    if isinstance(v, bool):
        return bool(v)
    if isinstance(v, int):
        return int.__index__(v)
    if isinstance(v, float):
        return float.__float__(v)
    if isinstance(v, str):
        return str.__str__(v)
    d = depth + 1
    if type(v) is list:
        return [enc(x, other, d) for x in list.__iter__(v)]
    if isinstance(v, tuple):
        return {"t": [enc(x, other, d) for x in tuple.__iter__(v)]}
    if isinstance(v, frozenset):
        return {"f": [enc(x, other, d) for x in frozenset.__iter__(v)]}
    if isinstance(v, set):
        return {"s": [enc(x, other, d) for x in set.__iter__(v)]}
    if isinstance(v, dict):
        kind = "Counter" if isinstance(v, collections.Counter) else "OrderedDict" if isinstance(v, collections.OrderedDict) else "dict"
        return {"d": [[enc(k, other, d), enc(x, other, d)] for k, x in dict.items(v)], "k": kind}
    if isinstance(v, list):
        return [enc(x, other, d) for x in list.__iter__(v)]
    if isinstance(v, collections.deque):
        return {"q": [enc(x, other, d) for x in list(v)]}
    if isinstance(v, (bytes, bytearray)):
        return {"y" if isinstance(v, bytearray) else "b": bytes(v).decode("latin-1")}
    if isinstance(v, complex):
        return {"c": [v.real, v.imag]}
    if isinstance(v, range):
        return {"r": [v.start, v.stop, v.step]}
    if isinstance(v, fractions.Fraction):
        return {"F": [v.numerator, v.denominator]}
    if isinstance(v, decimal.Decimal):
        return {"D": str(v)}
    if hasattr(type(v), "__next__") and hasattr(type(v), "__iter__"):
        items = []
        for x in v:
            if len(items) >= _MAX_ITEMS:
                raise ValueError("iterator longer than %d items" % _MAX_ITEMS)
            items.append(enc(x, other, d))
        return {"g": items}
    return other(v)

def dec(x, handle, depth=0):
    if depth > 200:
        raise ValueError("value nested too deep")
    t = type(x)
    if x is None or t is bool or t is int or t is float or t is str:
        return x
    d = depth + 1
    if t is list:
        return [dec(v, handle, d) for v in x]
    if t is not dict or len(x) not in (1, 2):
        raise ValueError("bad value")
    if "t" in x:
        return tuple(dec(v, handle, d) for v in x["t"])
    if "s" in x:
        return set(dec(v, handle, d) for v in x["s"])
    if "f" in x:
        return frozenset(dec(v, handle, d) for v in x["f"])
    if "d" in x:
        pairs = [(dec(k, handle, d), dec(v, handle, d)) for k, v in x["d"]]
        return _KINDS.get(x.get("k"), dict)(dict(pairs))
    if "q" in x:
        return collections.deque(dec(v, handle, d) for v in x["q"])
    if "b" in x:
        return str(x["b"]).encode("latin-1")
    if "y" in x:
        return bytearray(str(x["y"]).encode("latin-1"))
    if "c" in x:
        return complex(float(x["c"][0]), float(x["c"][1]))
    if "r" in x:
        return range(int(x["r"][0]), int(x["r"][1]), int(x["r"][2]))
    if "F" in x:
        return fractions.Fraction(int(x["F"][0]), int(x["F"][1]))
    if "D" in x:
        return decimal.Decimal(str(x["D"]))
    if "g" in x:
        return iter([dec(v, handle, d) for v in x["g"]])
    if "h" in x:
        return handle(int(x["h"]))
    raise ValueError("bad value")
`;
