"""FEEL, as Camunda 7 users write it in decision tables, compiled to CivicFlow expressions.

Input entries are *unary tests* (``< 10``, ``[250..1000]``, ``"a","b"``, ``not("a")``, ``null``)
and become a boolean expression over one variable that holds the input value; output entries
are literals or simple expressions. The compiled text passes the restricted evaluator's static
check here, and the evaluator runs it later, so a DMN table can do no more than a gateway
condition can. Nothing here evaluates anything.
"""
from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

from .. import expressions

__all__ = ["FeelError", "literal_list", "output_expression", "unary_test"]

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<op>\.\.|\*\*|<=|>=|!=|[-+*/<>=()\[\],.?])
  | (?P<name>[^\W\d]\w*)
""", re.VERBOSE)
_WORDS = {"true": "True", "false": "False", "null": "None"}
_OPENERS, _CLOSERS = ("(", "["), (")", "]")
_COMPARISONS = ("<", "<=", ">", ">=", "=", "!=")
_ISO_DATE = re.compile(r'"\d{4}-\d{2}-\d{2}"')


class FeelError(ValueError):
    """FEEL text we cannot compile; ``reason`` is meant for the admin who wrote the table."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Token(NamedTuple):
    kind: str
    text: str


def _tokens(text: str) -> list[_Token]:
    tokens, pos = [], 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            if text[pos] == '"':
                raise FeelError("a string is not closed: add the missing '\"'")
            if text[pos] == "'":
                raise FeelError("FEEL strings use double quotes: write \"text\", not 'text'")
            raise FeelError(f"unexpected character {text[pos]!r} at position {pos + 1}")
        if match.lastgroup != "space":
            tokens.append(_Token(match.lastgroup, match.group()))
        pos = match.end()
    return tokens


def _join(parts: list[str]) -> str:
    text = ""
    for part in parts:
        glued = text and (text[-1] in "([." or part in (")", "]", ",", ".")
                          or (part in _OPENERS and (text[-1].isalnum() or text[-1] in ")]_")))
        text += part if not text or glued else " " + part
    return text


def _date_literal(tokens: list[_Token], i: int) -> str | None:
    """FEEL's ``date("2024-01-31")`` at ``tokens[i]`` as our ``date(2024, 1, 31)``, else None."""
    texts = [t.text for t in tokens[i:i + 4]]
    if len(texts) < 4 or texts[:2] != ["date", "("] or texts[3] != ")" or not _ISO_DATE.fullmatch(texts[2]):
        return None
    try:
        day = date.fromisoformat(texts[2].strip('"'))
    except ValueError:
        raise FeelError(f"{texts[2]} is not a date (YYYY-MM-DD)") from None
    return f"date({day.year}, {day.month}, {day.day})"


def _emit_plain(tokens: list[_Token], subject: str | None) -> str:
    """Token by token: FEEL ``=`` is equality, ``?`` the input value, ``date("…")`` a date."""
    parts, i = [], 0
    while i < len(tokens):
        tok, literal = tokens[i], _date_literal(tokens, i)
        if literal is not None:
            parts.append(literal)
            i += 4
            continue
        if tok.text == "?":
            if subject is None:
                raise FeelError("'?' (the input value) can only be used in an input entry")
            parts.append(subject)
        elif tok.text == "=":
            parts.append("==")
        elif tok.kind == "name" and tok.text in _WORDS:
            parts.append(_WORDS[tok.text])
        else:
            parts.append(tok.text)
        i += 1
    return _join(parts)


def _depth_step(tok: _Token, depth: int) -> int:
    return depth + (tok.text in _OPENERS) - (tok.text in _CLOSERS)


def _emit(tokens: list[_Token], subject: str | None) -> str:
    """A FEEL expression; ``a in <tests>`` at the top level becomes those tests on ``a``."""
    pieces, part, depth = [], [], 0
    for tok in tokens:
        if depth == 0 and tok.kind == "name" and tok.text in ("and", "or"):
            pieces += [_emit_part(part, subject), tok.text]
            part = []
        else:
            part.append(tok)
            depth = _depth_step(tok, depth)
    return " ".join(pieces + [_emit_part(part, subject)])


def _emit_part(tokens: list[_Token], subject: str | None) -> str:
    if not tokens:
        raise FeelError("an operand of 'and'/'or' is missing")
    depth, at = 0, None
    for i, tok in enumerate(tokens):
        if depth == 0 and tok.kind == "name" and tok.text == "in":
            at = i
            break
        depth = _depth_step(tok, depth)
    if at is None:
        return _emit_plain(tokens, subject)
    if at == 0 or at == len(tokens) - 1:
        raise FeelError("'in' needs a value on its left and tests on its right")
    left, right = f"({_emit_plain(tokens[:at], subject)})", tokens[at + 1:]
    parser = _Tests(right, left, subject)
    if right[0].text == "[" and not parser.interval_ahead():
        return f"{left} in {_emit_plain(right, subject)}"  # a FEEL list: membership
    if right[0].text == "(" and right[-1].text == ")" and not parser.interval_ahead():
        parser = _Tests(right[1:-1], left, subject)  # x in ("a", "b")
    return _any_of(parser.parse())


def _any_of(tests: list[str]) -> str:
    return tests[0] if len(tests) == 1 else "(" + " or ".join(tests) + ")"


class _Tests:
    """A cursor over comma-separated positive unary tests; ``subject`` is the tested value."""

    def __init__(self, tokens: list[_Token], subject: str, question: str | None) -> None:
        self.tokens, self.i, self.subject, self.question = tokens, 0, subject, question

    def parse(self) -> list[str]:
        tests = [self._test()]
        while self.i < len(self.tokens):
            if self.tokens[self.i].text != ",":
                raise FeelError(f"unexpected {self.tokens[self.i].text!r}: separate tests with ','")
            self.i += 1
            tests.append(self._test())
        return tests

    def interval_ahead(self) -> bool:
        """Does a range start here? ``(1..5]`` is one; ``(a + b)`` is an expression."""
        depth = 0
        for tok in self.tokens[self.i + 1:]:
            if tok.text == ".." and depth == 0:
                return True
            if (tok.text == "," and depth == 0) or (tok.text in _CLOSERS and depth == 0):
                return False
            depth = _depth_step(tok, depth)
        return False

    def _test(self) -> str:
        if self.i >= len(self.tokens):
            raise FeelError("a test is missing (a stray ',' or an empty not()?)")
        tok, s = self.tokens[self.i], self.subject
        if tok.text == "null" and self._ends_test(self.i + 1):
            self.i += 1
            return f"({s} is None)"
        if tok.text in _COMPARISONS:
            self.i += 1
            value = _emit(self._expression(), None)
            if tok.text in ("=", "!="):
                return f"({s} {'==' if tok.text == '=' else '!='} ({value}))"
            return f"({s} is not None and {s} {tok.text} ({value}))"
        if tok.text in _OPENERS + ("]",) and self.interval_ahead():
            return self._interval()
        if tok.text == "]":
            raise FeelError("a range needs '..' between its start and end, as in ]1..5[")
        expression = self._expression()
        if any(t.text == "?" for t in expression):
            return f"({_emit(expression, self.question)})"
        return f"({s} == ({_emit(expression, None)}))"

    def _ends_test(self, i: int) -> bool:
        return i >= len(self.tokens) or self.tokens[i].text == ","

    def _expression(self) -> list[_Token]:
        start, depth = self.i, 0
        while self.i < len(self.tokens):
            tok = self.tokens[self.i]
            if depth == 0 and tok.text == ",":
                break
            if tok.text in _CLOSERS and depth == 0:
                raise FeelError(f"unbalanced {tok.text!r}")
            depth = _depth_step(tok, depth)
            self.i += 1
        if depth:
            raise FeelError("a '(' or '[' is not closed")
        if self.i == start:
            raise FeelError("a value is missing")
        return self.tokens[start:self.i]

    def _interval(self) -> str:
        opener = self.tokens[self.i].text
        self.i += 1
        low = self._until(lambda tok: tok.text == "..")
        self.i += 1
        high = self._until(lambda tok: tok.text in ("]", ")", "["))
        if self.i >= len(self.tokens):
            raise FeelError("a range is not closed: end it with ']' or ')'")
        closer = self.tokens[self.i].text
        self.i += 1
        if not low or not high:
            raise FeelError("a range needs a start and an end, as in [1..5]")
        low_op = "<=" if opener == "[" else "<"
        high_op = "<=" if closer == "]" else "<"
        s = self.subject
        return (f"({s} is not None and ({_emit(low, None)}) {low_op} {s} {high_op} "
                f"({_emit(high, None)}))")

    def _until(self, stop) -> list[_Token]:
        start, depth = self.i, 0
        while self.i < len(self.tokens) and not (depth == 0 and stop(self.tokens[self.i])):
            depth = max(0, _depth_step(self.tokens[self.i], depth))
            self.i += 1
        return self.tokens[start:self.i]


def _checked(text: str) -> str:
    try:
        expressions.check_expression(text)
    except expressions.ExpressionError as exc:
        raise FeelError(exc.reason) from None
    return text


def unary_test(text: str | None, subject: str = "cellInput") -> str | None:
    """The input entry ``text`` as a boolean CivicFlow expression over the variable ``subject``,
    or None when it matches anything (``-`` or empty). Raises FeelError."""
    tokens = _tokens(text or "")
    if not tokens or (len(tokens) == 1 and tokens[0].text == "-"):
        return None
    negate = [t.text for t in tokens[:2]] == ["not", "("] and tokens[-1].text == ")"
    tests = _Tests(tokens[2:-1] if negate else tokens, subject, subject).parse()
    return _checked(f"not {_any_of(tests)}" if negate else _any_of(tests))


def output_expression(text: str | None) -> str:
    """The output entry ``text`` as a CivicFlow expression; an empty entry is null. Raises FeelError."""
    tokens = _tokens(text or "")
    return _checked(_emit(tokens, None)) if tokens else "None"


def literal_list(text: str | None) -> list[str]:
    """``"low","high"`` (an output's allowed values, in priority order) as one CivicFlow
    expression per value. Raises FeelError when an item is not a literal."""
    tokens = _tokens(text or "")
    items, current = [], []
    for tok in tokens + [_Token("op", ",")] if tokens else []:
        if tok.text != ",":
            current.append(tok)
            continue
        texts = [t.text for t in current]
        literal = (len(current) == 1 and current[0].kind in ("string", "number")) or texts in (
            ["true"], ["false"]) or (len(current) == 2 and texts[0] == "-" and current[1].kind == "number")
        if not literal:
            raise FeelError(f"{' '.join(texts) or 'an empty item'!r} is not a literal:"
                            " list the values as \"a\",\"b\" or 1, 2")
        items.append(_checked(_emit_plain(current, None)))
        current = []
    return items
