"""Password hashing with scrypt (memory-hard, in the standard library)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return "scrypt${}${}${}${}${}".format(
        _N, _R, _P, base64.b64encode(salt).decode(), base64.b64encode(digest).decode())


def check_password(stored: str, password: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    actual = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r),
                            p=int(p), dklen=32)
    return hmac.compare_digest(actual, base64.b64decode(digest))


MIN_LENGTH, MAX_LENGTH = 8, 128


def password_problems(password: str, username: str = "") -> list[str]:
    """What is wrong with a new password: at least 8 characters with letters and digits, and not
    the username (a phone number) inside it."""
    problems = []
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        problems.append(f"{MIN_LENGTH} to {MAX_LENGTH} characters")
    if not (any(c.isascii() and c.isalpha() for c in password) and any(c.isdigit() for c in password)):
        problems.append("letters and digits")
    if username and username in password:
        problems.append("must not contain your phone number")
    return problems
