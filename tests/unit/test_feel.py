"""FEEL in decision tables, compiled to restricted-evaluator expressions (engine.dmn.feel): what
each unary test matches, what output entries yield, and what is refused, with the reason."""
from __future__ import annotations

from datetime import date

import pytest

from engine import expressions
from engine.dmn.feel import FeelError, literal_list, output_expression, unary_test


def matches(entry: str, value: object, **data: object) -> bool:
    test = unary_test(entry)
    return test is None or bool(expressions.evaluate(test, {**data, "cellInput": value}))


@pytest.mark.parametrize("entry", ["-", "", "   "])
def test_dash_and_empty_match_anything(entry):
    assert unary_test(entry) is None


@pytest.mark.parametrize("entry, value, expected", [
    # literals
    ('"a"', "a", True), ('"a"', "b", False), ('"a"', None, False),
    ("10", 10, True), ("10", 10.0, True), ("10", 11, False), ("-5", -5, True),
    ("true", True, True), ("true", False, False), ("false", False, True),
    ('"a,b"', "a,b", True), ('"say \\"hi\\""', 'say "hi"', True),
    # comparisons
    ("< 10", 9, True), ("< 10", 10, False), ("<= 10", 10, True), ("> 10", 10, False),
    (">= 10", 10, True), (">= 10", 9.5, False), ("< -5", -6, True), ('< "m"', "k", True),
    ("= 10", 10, True), ("!= 10", 10, False), ('!= "x"', "y", True),
    ("< 10", None, False), (">= 10", None, False),
    # ranges: [ ] include the end, ( ) and outward brackets exclude it
    ("[250..1000]", 250, True), ("[250..1000]", 1000, True), ("[250..1000]", 1001, False),
    ("[250..1000]", 249.99, False), ("[250..1000]", None, False),
    ("(1..5]", 1, False), ("(1..5]", 5, True), ("(1..5)", 5, False), ("(1..5)", 3, True),
    ("]1..5[", 1, False), ("]1..5[", 4.9, True), ("]1..5[", 5, False), ("[1..5[", 1, True),
    ("[-10..-1]", -5, True), ("[0.5..1.5]", 1, True),
    ('[date("2024-01-01")..date("2024-12-31")]', date(2024, 6, 1), True),
    ('[date("2024-01-01")..date("2024-12-31")]', date(2025, 1, 1), False),
    # lists: any of the tests
    ('"a","b"', "b", True), ('"a","b"', "c", False), ('"a", "b"', "a", True),
    ("10, 20", 20, True), ("10, 20", 15, False),
    ("< 0, [10..20], 99", 15, True), ("< 0, [10..20], 99", 50, False), ("< 0, [10..20], 99", -1, True),
    # negation
    ('not("a","b")', "c", True), ('not("a","b")', "a", False), ('not("a")', "a", False),
    ("not([1..5])", 3, False), ("not([1..5])", 6, True), ("not(null)", 1, True), ("not(null)", None, False),
    # null
    ("null", None, True), ("null", 0, False), ("null", "", False), ('null, "a"', "a", True),
    # '?' stands for the input value
    ("? > 3 and ? < 9", 5, True), ("? > 3 and ? < 9", 9, False), ("? in (1, 2)", 2, True),
])
def test_unary_tests(entry, value, expected):
    assert matches(entry, value) is expected


@pytest.mark.parametrize("entry, value, data, expected", [
    (">= limit * 2", 10, {"limit": 5}, True),
    (">= limit * 2", 9, {"limit": 5}, False),
    ("[low..high]", 5, {"low": 1, "high": 5}, True),
    ("order.kind", "urgent", {"order": {"kind": "urgent"}}, True),
])
def test_endpoints_may_be_expressions_over_the_case_data(entry, value, data, expected):
    assert matches(entry, value, **data) is expected


@pytest.mark.parametrize("entry, compiled", [
    ('"a"', '(cellInput == ("a"))'),
    ("< 10", "(cellInput is not None and cellInput < (10))"),
    ("[250..1000]", "(cellInput is not None and (250) <= cellInput <= (1000))"),
    ('not("a","b")', 'not ((cellInput == ("a")) or (cellInput == ("b")))'),
    ("null", "(cellInput is None)"),
])
def test_the_compiled_text_is_a_plain_restricted_expression(entry, compiled):
    assert unary_test(entry) == compiled


def test_the_input_variable_can_be_renamed():
    assert unary_test("< 10", "amount") == "(amount is not None and amount < (10))"


@pytest.mark.parametrize("entry, data, expected", [
    ('"D-EAST-CG"', {}, "D-EAST-CG"), ("10", {}, 10), ("2.5", {}, 2.5), ("-3", {}, -3),
    ("true", {}, True), ("null", {}, None), ("", {}, None),
    ("amount * 2", {"amount": 21}, 42), ('"fee: " + kind', {"kind": "stall"}, "fee: stall"),
    ("amount = 5", {"amount": 5}, True), ('date("2024-02-29")', {}, date(2024, 2, 29)),
    ("amount in [1..10]", {"amount": 10}, True), ("amount in (1, 2)", {"amount": 3}, False),
    ('kind in ("a", "b") and amount > 1', {"kind": "b", "amount": 2}, True),
    ('"ab" in "abc"', {}, False),  # FEEL: equality, not Python's substring test
    ("amount in [1, 2, 3]", {"amount": 2}, True),
])
def test_output_entries(entry, data, expected):
    assert expressions.evaluate(output_expression(entry), data) == expected


@pytest.mark.parametrize("entry, reason", [
    ("[1..", "a range is not closed"),
    ("(1..5", "a range is not closed"),
    ("[..5]", "a range needs a start and an end"),
    ("]1", "a range needs '..'"),
    ('"abc', "a string is not closed"),
    ("'a'", "FEEL strings use double quotes"),
    ("1,", "a test is missing"),
    ("not()", "a test is missing"),
    ("foo(", "is not closed"),
    ("10)", "unbalanced ')'"),
    ("< ", "a value is missing"),
    ("# 1", "unexpected character '#'"),
    ('date("2024-02-31")', "is not a date"),
    ("__class__", "names starting with '_' are reserved"),
    ("eval(1)", "'eval' is not allowed"),
    ("import os", "syntax error"),
    ("lower(x)", "unknown function 'lower'"),
])
def test_unreadable_input_entries_are_refused_with_a_reason(entry, reason):
    with pytest.raises(FeelError) as caught:
        unary_test(entry)
    assert reason in caught.value.reason


@pytest.mark.parametrize("entry, reason", [
    ('"unclosed', "a string is not closed"),
    ("? + 1", "'?' (the input value) can only be used in an input entry"),
    ("a in", "'in' needs a value on its left"),
    ("a and", "an operand of 'and'/'or' is missing"),
    ("x.__class__", "reserved"),
])
def test_unreadable_output_entries_are_refused_with_a_reason(entry, reason):
    with pytest.raises(FeelError) as caught:
        output_expression(entry)
    assert reason in caught.value.reason


def test_output_values_are_a_list_of_literals_in_order():
    assert [expressions.evaluate(v, {}) for v in literal_list('"high", "medium","low"')] == ["high", "medium", "low"]
    assert [expressions.evaluate(v, {}) for v in literal_list("1, -2, 2.5, true")] == [1, -2, 2.5, True]
    assert literal_list("") == [] and literal_list(None) == []
    with pytest.raises(FeelError, match="is not a literal"):
        literal_list('"a", b')
