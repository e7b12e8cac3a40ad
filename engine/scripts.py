"""Script task bodies from uploaded diagrams, run under RestrictedPython.

Plain ``exec`` with a trimmed ``__builtins__`` is no sandbox (``().__class__.__bases__`` walks
straight out of it), so scripts are compiled with ``compile_restricted``: every attribute read,
item write and loop goes through the guards below. The AST whitelist, attribute policy and
operators are those of :mod:`engine.expressions`, so scripts and expressions agree on what
is allowed.
"""
from __future__ import annotations

import ast
import copy
import re
import textwrap
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from functools import lru_cache, partial
from time import monotonic
from types import CodeType

import simpleeval
from RestrictedPython import compile_restricted_exec
from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence
from RestrictedPython.transformer import IOPERATOR_TO_STR, RestrictingNodeTransformer

from engine import expressions as ex
from engine.expressions import ExpressionError, Refused

__all__ = ["MAX_ITERATIONS", "check_script", "run_script"]

MAX_ITERATIONS = 100_000  # all loops and comprehensions of one run together
_FILENAME = "<script>"
_OPERATOR_NAMES = {cls.__name__: fn for cls, fn in ex.BINARY_OPERATORS.items()}
_INPLACE = {IOPERATOR_TO_STR[cls]: fn for cls, fn in ex.BINARY_OPERATORS.items()}
_KEPT_SCALARS = (str, int, float, bool, type(None), date, datetime)
_KEPT_KEYS = (str, int, float, bool, type(None))
_DROP = object()


def _call(name: str, where: ast.AST, *args: ast.expr) -> ast.Call:
    call = ast.Call(func=ast.Name(name, ast.Load()), args=list(args), keywords=[])
    return ast.fix_missing_locations(ast.copy_location(call, where))


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy, plus size-checked operators and (again) our refusals, so
    that the runtime holds even if the whitelist in engine.expressions were bypassed."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        node = self.node_contents_visit(node)
        return _call("_binop_", node, ast.Constant(type(node.op).__name__), node.left, node.right)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        # As in expressions: date(...) is always the helper, even if a form field is named date.
        node = super().visit_Call(node)
        if isinstance(node.func, ast.Name) and node.func.id in ex.FUNCTIONS:
            lookup = ast.Subscript(ast.Name("_functions_", ast.Load()), ast.Constant(node.func.id),
                                   ast.Load())
            node.func = ast.fix_missing_locations(ast.copy_location(lookup, node.func))
        return node

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        problem = ex.format_spec_problem(node)
        if problem:
            self.error(node, problem)
        node = self.node_contents_visit(node)
        node.value = _call("_weighed_", node.value, node.value)
        return node

    def _refuse(self, node: ast.AST) -> None:
        reason = ex.REFUSAL_REASONS.get(type(node), f"'{type(node).__name__}' is not allowed")
        self.error(node, reason)


for _kind in ("While", "FunctionDef", "AsyncFunctionDef", "Lambda", "ClassDef", "Try", "TryStar",
              "With", "AsyncWith", "Global", "Nonlocal", "Yield", "YieldFrom", "Await", "Import",
              "ImportFrom", "Raise", "Assert", "NamedExpr"):
    setattr(_Policy, f"visit_{_kind}", _Policy._refuse)
del _kind


@lru_cache(maxsize=256)
def _compile(script: str) -> CodeType:
    if len(script) > ex.MAX_SOURCE_LENGTH:
        raise Refused("script is too long")
    try:
        tree = ast.parse(script, _FILENAME, "exec")
    except SyntaxError as exc:
        raise Refused(f"syntax error: {exc.msg}", exc.lineno) from None
    except (ValueError, RecursionError, MemoryError):
        raise Refused("script is malformed or too deeply nested") from None
    ex.validate_tree(tree, script=True)
    result = compile_restricted_exec(script, _FILENAME, policy=_Policy)
    if result.errors or result.code is None:
        message = result.errors[0] if result.errors else "script refused"
        match = re.match(r"Line (\d+): (.*)", message, re.S)
        raise Refused(match[2] if match else message, int(match[1]) if match else None)
    return result.code


def check_script(script: str) -> None:
    """Upload-time check, so a hostile or broken script task is refused with its line."""
    try:
        _compile(textwrap.dedent(script))
    except Refused as exc:
        raise ExpressionError(script, exc.line, exc.reason) from None


class _Loops:
    """``_getiter_``: every loop and comprehension draws on one budget and one deadline, since
    nested ``for`` over bounded lists would otherwise still spin for hours."""

    def __init__(self) -> None:
        self.left = MAX_ITERATIONS
        self.deadline = monotonic() + ex.TIME_LIMIT_S

    def __call__(self, iterable: Iterable) -> Iterator:
        for item in iterable:
            self.left -= 1
            if self.left < 0:
                raise Refused(f"the script loops more than {MAX_ITERATIONS} times in total")
            if monotonic() > self.deadline:
                raise Refused(f"the script ran longer than {ex.TIME_LIMIT_S} s")
            yield item


def _write(obj: object) -> object:
    if type(obj) in (list, dict):
        return obj
    raise Refused(f"a {type(obj).__name__} cannot be changed; only lists and dicts can")


def _binop(name: str, a: object, b: object) -> object:
    return _OPERATOR_NAMES[name](a, b)


def _inplace(name: str, a: object, b: object) -> object:
    return _INPLACE[name](a, b)


def _weighed(value: object) -> object:
    ex.weigh(value)
    return value


def _plain(value: object) -> object:
    """Copy of ``value`` if it is JSON-like (tuples become lists), else _DROP. Only called
    after weigh(), so the value is acyclic and of bounded size."""
    kind = type(value)
    if kind in _KEPT_SCALARS:
        return value
    if kind in (list, tuple):
        items = [_plain(v) for v in value]  # type: ignore[attr-defined]
        return _DROP if any(i is _DROP for i in items) else items
    if kind is dict:
        pairs = [(k, _plain(v)) for k, v in value.items()]  # type: ignore[attr-defined]
        if any(v is _DROP or type(k) not in _KEPT_KEYS for k, v in pairs):
            return _DROP
        return dict(pairs)
    return _DROP


def _script_line(exc: BaseException) -> int | None:
    line, tb = None, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == _FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def run_script(script: str, data: dict) -> None:
    """Run a script task body. Top-level assignments land in ``data``; all-or-nothing, so a
    failing script leaves the case data as it was."""
    script = textwrap.dedent(script)
    try:
        code = _compile(script)
    except Refused as exc:
        raise ExpressionError(script, exc.line, exc.reason) from None
    env = {k: v for k, v in copy.deepcopy(data).items()
           if isinstance(k, str) and not k.startswith("_")}
    guards = {
        "__builtins__": dict(ex.FUNCTIONS),
        "_functions_": dict(ex.FUNCTIONS),
        "_getattr_": partial(ex.guarded_getattr, mutate=True),
        "_getitem_": lambda obj, key: obj[key],
        "_getiter_": _Loops(),
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": _write,
        "_inplacevar_": _inplace,
        "_binop_": _binop,
        "_weighed_": _weighed,
    }
    before = dict(env)
    env.update(guards)
    try:
        exec(code, env)  # noqa: S102 - RestrictedPython bytecode, every access guarded above
        touched = {k: v for k, v in env.items() if not k.startswith("_") and k not in guards
                   and (k not in before or v is not before[k] or v != data[k])}
        results = {k: _plain(_weighed(v)) for k, v in touched.items()}
    except Refused as exc:
        raise ExpressionError(script, exc.line or _script_line(exc), exc.reason) from None
    except NameError as exc:
        raise ExpressionError(script, _script_line(exc), f"unknown name '{exc.name}'") from None
    except simpleeval.InvalidExpression as exc:  # size limits of the shared operators
        raise ExpressionError(script, _script_line(exc), str(exc)) from None
    except Exception as exc:  # the script's own errors: TypeError, KeyError, ...
        raise ExpressionError(script, _script_line(exc), f"{type(exc).__name__}: {exc}") from exc
    data.update((name, value) for name, value in results.items() if value is not _DROP)
