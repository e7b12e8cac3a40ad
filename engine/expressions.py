"""Restricted evaluation of what admins write into uploaded BPMN diagrams.

Gateway conditions, timer and assignee expressions are untrusted text: they go through
simpleeval with a whitelist, never Python ``eval``. Script task bodies go through
:mod:`engine.scripts` (RestrictedPython), which shares the AST whitelist, attribute policy,
operators and size limits below, so whatever is refused at upload is refused at run time too.
"""
from __future__ import annotations

import ast
import io
import operator as op
import re
import tokenize
import types
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from functools import lru_cache, partial
from time import monotonic
from zoneinfo import ZoneInfo

import simpleeval
from RestrictedPython.transformer import INSPECT_ATTRIBUTES

from engine.clock import SystemClock

__all__ = ["ALLOWED_FUNCTIONS", "ExpressionError", "check_expression", "check_script", "evaluate",
           "normalize", "run_script"]

MAX_SOURCE_LENGTH = 20_000
MAX_SEQUENCE_LENGTH = simpleeval.MAX_STRING_LENGTH  # strings, lists and ranges
MAX_INT_BITS = 10_000  # ~3000 digits: far beyond money, far below a CPU-eating bignum
MAX_EXPONENT = 1_000
MAX_VALUE_WEIGHT = 1_000_000  # rough size of a value counted as a tree (see weigh)
TIME_LIMIT_S = 2.0  # checked between steps; a lone C-level step can overrun it
LOCAL_TZ = ZoneInfo("Asia/Shanghai")
clock = SystemClock()  # tests swap in engine.clock.FrozenClock


class ExpressionError(Exception):
    """Refused or failed expression/script; ``reason`` is meant for the admin who wrote it."""

    def __init__(self, expression: str, line: int | None, reason: str) -> None:
        self.expression, self.line, self.reason = expression, line, reason
        where = f" (line {line})" if line else ""
        snippet = expression if len(expression) <= 200 else expression[:200] + "..."
        super().__init__(f"{reason}{where}: {snippet!r}")


class Refused(Exception):
    """Internal: raised by guards, turned into ExpressionError at the public boundary."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason, self.line = reason, line


# --- Camunda dialect ----------------------------------------------------------------------

_LITERALS = {"true": "True", "false": "False", "null": "None"}
_FSTRING_START = getattr(tokenize, "FSTRING_START", -1)
_FSTRING_END = getattr(tokenize, "FSTRING_END", -1)


def normalize(expression: str) -> str:
    """Camunda Modeler writes JUEL (``${a && !b}``); we evaluate Python syntax. Token-based so
    that text inside string literals is never rewritten."""
    text = expression.strip()
    if text[:2] in ("${", "#{") and text.endswith("}"):
        text = text[2:-1].strip()
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return text  # unbalanced brackets etc.: the syntax check reports it
    starts = [0]
    for line in io.StringIO(text):  # the same line split as tokenize's readline
        starts.append(starts[-1] + len(line))

    def at(pos: tuple[int, int]) -> int:
        return starts[pos[0] - 1] + pos[1]

    edits: list[tuple[int, int, str, bool]] = []  # start, end, new text, is a word operator
    i = fstring = 0
    while i < len(tokens):
        tok, nxt = tokens[i], tokens[i + 1] if i + 1 < len(tokens) else None
        fstring += (tok.type == _FSTRING_START) - (tok.type == _FSTRING_END)
        if fstring:  # Python 3.12+ tokenizes f-strings piecewise; leave them whole, as on 3.11
            pass
        elif tok.string in ("&", "|") and nxt and nxt.string == tok.string and nxt.start == tok.end:
            edits.append((at(tok.start), at(nxt.end), "and" if tok.string == "&" else "or", True))
            i += 1
        elif tok.string == "!":  # "!=" is a single token, so this is negation
            edits.append((at(tok.start), at(tok.end), "not", True))
        elif tok.type == tokenize.NAME and tok.string in _LITERALS and (
                i == 0 or tokens[i - 1].string != ".") and not (nxt and nxt.string == "="):
            edits.append((at(tok.start), at(tok.end), _LITERALS[tok.string], False))
        i += 1
    for start, end, new, word in reversed(edits):
        if word and start > 0 and not text[start - 1].isspace() and text[start - 1] not in "([{":
            new = " " + new
        if word and end < len(text) and not text[end].isspace() and text[end] not in ")]}":
            new = new + " "
        text = text[:start] + new + text[end:]
    return text


# --- Static whitelist (shared with engine.scripts) ----------------------------------------

_OPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.LShift,
        ast.RShift, ast.BitOr, ast.BitXor, ast.BitAnd, ast.And, ast.Or, ast.Not, ast.USub,
        ast.UAdd, ast.Invert, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In,
        ast.NotIn, ast.Is, ast.IsNot)
EXPRESSION_NODES = frozenset(_OPS + (
    ast.Expression, ast.Constant, ast.Name, ast.Load, ast.Store, ast.BinOp, ast.UnaryOp,
    ast.BoolOp, ast.Compare, ast.IfExp, ast.Call, ast.keyword, ast.Attribute, ast.Subscript,
    ast.Slice, ast.List, ast.Tuple, ast.Dict, ast.Set, ast.ListComp, ast.DictComp,
    ast.GeneratorExp, ast.comprehension, ast.JoinedStr, ast.FormattedValue, ast.Starred))
SCRIPT_NODES = EXPRESSION_NODES | {ast.Module, ast.Assign, ast.AugAssign, ast.Expr, ast.If,
                                   ast.For, ast.Pass, ast.Break, ast.Continue, ast.Delete,
                                   ast.Del, ast.SetComp}
REFUSAL_REASONS: dict[type, str] = {
    ast.Import: "imports are not allowed", ast.ImportFrom: "imports are not allowed",
    ast.Lambda: "lambda is not allowed", ast.FunctionDef: "defining functions (def) is not allowed",
    ast.AsyncFunctionDef: "defining functions (def) is not allowed",
    ast.ClassDef: "defining classes is not allowed",
    ast.While: "while loops are not allowed; use a for loop over a list",
    ast.With: "with blocks are not allowed", ast.AsyncWith: "with blocks are not allowed",
    ast.Try: "try/except is not allowed", ast.Global: "global is not allowed",
    ast.Nonlocal: "nonlocal is not allowed", ast.Yield: "yield is not allowed",
    ast.YieldFrom: "yield is not allowed", ast.Await: "await is not allowed",
    ast.AsyncFor: "async for is not allowed", ast.NamedExpr: "the := operator is not allowed",
}
# Builtins that reach outside the sandbox: refused even as bare names. None of them is ever
# bound (names resolve to case data or FUNCTIONS only); this is for clear messages and depth.
FORBIDDEN_NAMES = frozenset("exec eval open compile getattr setattr delattr hasattr globals locals "
                            "vars dir breakpoint memoryview super".split())
# Refused as calls only: as bare names they are plausible form fields (``type == 'complaint'``).
FORBIDDEN_CALLS = FORBIDDEN_NAMES | frozenset(
    "type input help object isinstance issubclass id callable iter next print exit quit "
    "classmethod staticmethod property format repr ascii".split())
# str.format/format_map resolve "{0.__class__}" in C, past every attribute guard.
DENIED_ATTRS = frozenset({"format", "format_map", "mro"} | set(INSPECT_ATTRIBUTES)
                         | set(simpleeval.DISALLOW_METHODS))
_SAFE_FORMAT_SPEC = re.compile(r"[<>^=]?[+\- ]?#?0?\d{0,3}[,_]?(\.\d{1,3})?[bcdeEfFgGnosxX%]?"
                               r"|[%a-zA-Z :/.,\-]{1,64}")  # numbers, or strftime for dates


def _name_problem(name: str, forbidden: frozenset[str] = FORBIDDEN_NAMES) -> str | None:
    if name.startswith("_") or name.startswith("func_"):
        return f"'{name}' is not allowed: names starting with '_' are reserved"
    if name in forbidden:
        return f"'{name}' is not allowed"
    return None


def _attr_problem(attr: str) -> str | None:
    if attr.startswith("_") or attr.startswith("func_"):
        return f"attribute '{attr}' is not allowed: names starting with '_' are reserved"
    if attr in DENIED_ATTRS:
        return f"attribute '{attr}' is not allowed"
    return None


def format_spec_problem(node: ast.FormattedValue) -> str | None:
    """f'{x:>999999999}' would allocate a gigabyte; only short constant specs pass."""
    if node.format_spec is None:
        return None
    parts = getattr(node.format_spec, "values", [])
    if all(isinstance(p, ast.Constant) and isinstance(p.value, str) for p in parts) and (
            _SAFE_FORMAT_SPEC.fullmatch("".join(p.value for p in parts))):
        return None
    return "this f-string format spec is not allowed"


def validate_tree(tree: ast.AST, *, script: bool) -> None:
    """Whitelist check of a parsed expression or script; raises Refused naming the line."""
    allowed = SCRIPT_NODES if script else EXPRESSION_NODES
    for node in ast.walk(tree):
        line = getattr(node, "lineno", None)
        problem = None
        if type(node) not in allowed:
            problem = REFUSAL_REASONS.get(type(node),
                                          f"'{type(node).__name__}' syntax is not allowed")
        elif isinstance(node, ast.Name):
            problem = _name_problem(node.id)
        elif isinstance(node, ast.Attribute):
            problem = _attr_problem(node.attr)
            if not problem and not isinstance(node.ctx, ast.Load):
                problem = "assigning to attributes is not allowed; use a dict and d['key'] = value"
        elif isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name):
                problem = _name_problem(node.func.id, FORBIDDEN_CALLS) or (
                    None if node.func.id in FUNCTIONS else f"unknown function '{node.func.id}'")
            elif not isinstance(node.func, ast.Attribute):
                problem = "only named functions and methods can be called"
            if any(isinstance(a, ast.Starred) for a in node.args) or any(
                    k.arg is None for k in node.keywords):
                problem = problem or "*args/**kwargs in calls are not allowed"
        elif isinstance(node, ast.FormattedValue):
            problem = format_spec_problem(node)
        elif isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
            if len(node.value) > MAX_SEQUENCE_LENGTH:
                problem = "literal is too long"
        elif isinstance(node, ast.comprehension) and node.is_async:
            problem = "async comprehensions are not allowed"
        elif isinstance(node, ast.Delete) and not all(
                isinstance(t, ast.Subscript) for t in node.targets):
            problem = "only del d[key] is allowed"
        if problem:
            raise Refused(problem, line)


# --- Run-time guards (shared with engine.scripts) -----------------------------------------

def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NUMBER = _names("real imag conjugate as_integer_ratio is_integer bit_length numerator denominator")
_DATE = _names("year month day weekday isoweekday isoformat isocalendar strftime replace toordinal")
_CLOCK = _names("hour minute second microsecond")
_SET = _names("union intersection difference symmetric_difference issubset issuperset "
              "isdisjoint copy")
READ_ATTRS: dict[type, frozenset[str]] = {
    str: _names("capitalize casefold count endswith find index isalnum isalpha isascii isdecimal "
                "isdigit islower isnumeric isspace istitle isupper join lower lstrip partition "
                "removeprefix removesuffix replace rfind rindex rpartition rsplit rstrip split "
                "splitlines startswith strip swapcase title upper"),
    int: _NUMBER, bool: _NUMBER, float: _NUMBER,
    dict: _names("get items keys values copy"), list: _names("index count copy"),
    tuple: _names("index count"), set: _SET, frozenset: _SET,
    date: _DATE, datetime: _DATE | _CLOCK | _names("date time timestamp utcoffset astimezone"),
    time: _CLOCK | _names("isoformat strftime replace"),
    timedelta: _names("days seconds microseconds total_seconds"),
}
MUTATORS: dict[type, frozenset[str]] = {
    list: _names("append extend insert pop remove reverse sort clear"),
    dict: _names("pop popitem setdefault update clear"),
    set: _names("add discard remove pop clear update"),
}


def _str_replace(s: str, old: str, new: str, count: int = -1) -> str:
    hits = s.count(old) if count < 0 else min(count, s.count(old))
    if len(s) + hits * (len(new) - len(old)) > MAX_SEQUENCE_LENGTH:
        raise Refused("result of replace() would be too long")
    return s.replace(old, new, count)


def _str_join(sep: str, items: Iterable) -> str:
    items = list(items)
    size = sum(len(x) for x in items if isinstance(x, str)) + len(sep) * len(items)
    if size > MAX_SEQUENCE_LENGTH:
        raise Refused("result of join() would be too long")
    return sep.join(items)


def _list_extend(target: list, items: Iterable) -> None:
    items = list(items)
    if len(target) + len(items) > MAX_SEQUENCE_LENGTH:
        raise Refused("list would become too long")
    target.extend(items)


_BOUNDED = {(str, "replace"): _str_replace, (str, "join"): _str_join,
            (list, "extend"): _list_extend}


def guarded_getattr(obj: object, name: str, mutate: bool = False) -> object:
    """Per-type whitelist of attributes; dicts also allow JUEL-style ``order.amount``."""
    problem = _attr_problem(name)
    if problem:
        raise Refused(problem)
    kind = type(obj)
    if name in READ_ATTRS.get(kind, ()) or (mutate and name in MUTATORS.get(kind, ())):
        bounded = _BOUNDED.get((kind, name))
        return partial(bounded, obj) if bounded else getattr(obj, name)
    if kind is dict and name in obj:  # type: ignore[operator]
        return obj[name]  # type: ignore[index]
    if not mutate and name in MUTATORS.get(kind, ()):
        raise Refused(f"'.{name}' is not allowed: expressions cannot change data")
    raise Refused(f"'.{name}' is not allowed on {kind.__name__}")


def weigh(value: object, memo: dict[int, tuple[object, int]] | None = None,
          budget: int = MAX_VALUE_WEIGHT) -> int:
    """Size of ``value`` counted as a tree, so ``[[x]*100]*100`` nests cannot hide an
    exponential repr/compare behind a small DAG. Refuses modules and forbidden callables."""
    memo = {} if memo is None else memo
    kind = type(value)
    if kind in (str, bytes):
        return 1 + len(value) // 16  # type: ignore[arg-type]
    if kind is int:
        return 1 + value.bit_length() // 64  # type: ignore[attr-defined]
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        if id(value) in memo:
            if memo[id(value)][1] < 0:
                raise Refused("a list or dict contains itself")
            return memo[id(value)][1]
        memo[id(value)] = (value, -1)  # in progress
        total = 1
        children = [*value.keys(), *value.values()] if isinstance(value, dict) else value
        for child in children:  # type: ignore[attr-defined]
            total += weigh(child, memo, budget)
            if total > budget:
                raise Refused("value is too large")
        memo[id(value)] = (value, total)
        return total
    if isinstance(value, (types.ModuleType, type)):
        raise Refused("modules and classes are not available")
    try:
        forbidden = callable(value) and value in simpleeval.DISALLOW_FUNCTIONS
    except TypeError:  # unhashable
        forbidden = False
    if forbidden:
        raise Refused("this function is forbidden")
    return 1


def _mult(a: object, b: object) -> object:
    if type(a) is int and type(b) is int and a.bit_length() + b.bit_length() > MAX_INT_BITS:
        raise Refused("number is too large")
    return simpleeval.safe_mult(a, b)


def _pow(a: object, b: object) -> object:
    if isinstance(b, (int, float)) and abs(b) > MAX_EXPONENT:
        raise Refused(f"exponent larger than {MAX_EXPONENT}")
    if type(a) is int and type(b) is int and b > 0 and a.bit_length() * b > MAX_INT_BITS:
        raise Refused("number is too large")
    return a ** b  # type: ignore[operator]


def _lshift(a: object, b: object) -> object:
    if type(a) is int and type(b) is int and a.bit_length() + b > MAX_INT_BITS:
        raise Refused("number is too large")
    return a << b  # type: ignore[operator]


def _mod(a: object, b: object) -> object:
    if isinstance(a, (str, bytes)):  # '%999999999s' % x allocates gigabytes
        raise Refused("%-formatting is not allowed; use an f-string")
    return a % b  # type: ignore[operator]


BINARY_OPERATORS: dict[type, Callable[[object, object], object]] = {
    ast.Add: simpleeval.safe_add, ast.Sub: op.sub, ast.Mult: _mult, ast.Div: op.truediv,
    ast.FloorDiv: op.floordiv, ast.Mod: _mod, ast.Pow: _pow, ast.LShift: _lshift,
    ast.RShift: simpleeval.safe_rshift, ast.BitOr: op.or_, ast.BitXor: op.xor, ast.BitAnd: op.and_,
}


def _range(*args: int) -> range:
    r = range(*args)
    try:
        size = len(r)
    except OverflowError:
        size = MAX_SEQUENCE_LENGTH + 1
    if size > MAX_SEQUENCE_LENGTH:
        raise Refused(f"range() over more than {MAX_SEQUENCE_LENGTH} elements")
    return r


def _str(value: object = "", *args: str) -> str:
    weigh(value)  # str() of a 1000-deep shared nest would run for hours
    return str(value, *args) if args else str(value)  # type: ignore[call-overload]


def _round(number: float, ndigits: int | None = None) -> float:
    if ndigits is not None and abs(ndigits) > 100:  # round(1, -10**9) computes 10**10**9
        raise Refused("round() to more than 100 digits")
    return round(number, ndigits)


def _sum(items: Iterable, start: int | float = 0) -> object:
    if type(start) not in (int, float):  # sum(lists, []) is quadratic
        raise Refused("sum() only adds numbers")
    return sum(items, start)


def _now() -> datetime:
    return clock.now()


def _today() -> date:
    return clock.now().astimezone(LOCAL_TZ).date()


def _date(year: int, month: int, day: int) -> date:
    return date(year, month, day)  # a function, never the class: classes expose too much


def _datetime(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0,
              microsecond: int = 0) -> datetime:
    # Local wall time, timezone-aware so that it compares with now() instead of raising.
    return datetime(year, month, day, hour, minute, second, microsecond, tzinfo=LOCAL_TZ)


def _timedelta(days: float = 0, seconds: float = 0, minutes: float = 0, hours: float = 0,
               weeks: float = 0) -> timedelta:
    return timedelta(days=days, seconds=seconds, minutes=minutes, hours=hours, weeks=weeks)


FUNCTIONS: dict[str, Callable] = {
    "len": len, "str": _str, "int": int, "float": float, "bool": bool, "abs": abs, "min": min,
    "max": max, "round": _round, "sum": _sum, "sorted": sorted, "any": any, "all": all,
    "list": list, "dict": dict, "set": set, "tuple": tuple, "range": _range, "now": _now,
    "today": _today, "date": _date, "datetime": _datetime, "timedelta": _timedelta,
}
ALLOWED_FUNCTIONS: tuple[str, ...] = tuple(sorted(FUNCTIONS))


# --- Expressions --------------------------------------------------------------------------

class _Evaluator(simpleeval.EvalWithCompoundTypes):
    def __init__(self, data: dict) -> None:
        operators = {**simpleeval.DEFAULT_OPERATORS, **BINARY_OPERATORS}
        super().__init__(operators=operators, functions=dict(FUNCTIONS), names=data)
        self._memo: dict[int, tuple[object, int]] = {}
        self._deadline = monotonic() + TIME_LIMIT_S

    def _eval(self, node: ast.AST) -> object:
        if monotonic() > self._deadline:
            raise Refused(f"the expression ran longer than {TIME_LIMIT_S} s")
        return super()._eval(node)

    def _eval_formattedvalue(self, node: ast.FormattedValue) -> object:
        problem = format_spec_problem(node)
        if problem:
            raise Refused(problem)
        return super()._eval_formattedvalue(node)

    def _check_disallowed_items(self, item: object) -> None:
        weigh(item, self._memo)  # simpleeval's own walk is unbounded on shared sub-lists

    def _eval_attribute(self, node: ast.Attribute) -> object:
        return guarded_getattr(self._eval(node.value), node.attr)


@lru_cache(maxsize=1024)
def _parse_expression(expression: str) -> ast.expr:
    text = normalize(expression)
    if len(text) > MAX_SOURCE_LENGTH:
        raise Refused("expression is too long")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        try:
            statements = ast.parse(text).body
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            raise Refused(f"syntax error: {exc.msg}", exc.lineno) from None
        for stmt in statements:
            if type(stmt) in REFUSAL_REASONS:
                raise Refused(REFUSAL_REASONS[type(stmt)], stmt.lineno) from None
        raise Refused("statements are not allowed in an expression", exc.lineno) from None
    except (ValueError, RecursionError, MemoryError):
        raise Refused("expression is malformed or too deeply nested") from None
    validate_tree(tree, script=False)
    return tree.body


def check_expression(expression: str) -> None:
    """Upload-time check, so a broken or hostile diagram is refused before any case runs."""
    try:
        _parse_expression(expression)
    except Refused as exc:
        raise ExpressionError(expression, exc.line, exc.reason) from None


def evaluate(expression: str, data: dict) -> object:
    """Evaluate against case data; re-checks because stored diagrams may predate the rules."""
    try:
        result = _Evaluator(data).eval(expression, previously_parsed=_parse_expression(expression))
    except Refused as exc:
        raise ExpressionError(expression, exc.line, exc.reason) from None
    except simpleeval.NameNotDefined as exc:
        raise ExpressionError(expression, None, f"unknown name '{exc.name}'") from None
    except simpleeval.InvalidExpression as exc:
        raise ExpressionError(expression, None, str(exc)) from None
    except Exception as exc:  # user errors of any kind: TypeError, ZeroDivisionError, ...
        raise ExpressionError(expression, None, f"{type(exc).__name__}: {exc}") from exc
    if callable(result):
        raise ExpressionError(expression, None, "the result is a function; missing parentheses?")
    return result


def check_script(script: str) -> None:
    """Upload-time check of a script task body (see engine.scripts)."""
    from engine.scripts import check_script as check

    check(script)


def run_script(script: str, data: dict) -> None:
    """Run a script task body, updating ``data`` in place (see engine.scripts)."""
    from engine.scripts import run_script as run

    run(script, data)
