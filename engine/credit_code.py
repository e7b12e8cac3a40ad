"""统一社会信用代码 (GB 32100-2015): 18 characters from 31 symbols (no I, O, Z, S, V), the
last a check character over the first 17, so that a typing slip is caught at the form."""
from __future__ import annotations

SYMBOLS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    total = sum(SYMBOLS.index(c) * w for c, w in zip(first17, WEIGHTS))
    return SYMBOLS[(31 - total % 31) % 31]


def is_valid(code: str) -> bool:
    """True when ``code`` (upper case) has the standard's form and its check character."""
    return len(code) == 18 and all(c in SYMBOLS for c in code) and check_character(code[:17]) == code[17]
