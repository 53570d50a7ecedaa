"""Valid identifiers and account data for the browser journeys."""

from __future__ import annotations

from yiwang.core.identifiers import ric_check_digit, uscc_with_check

PASSWORD = "Qingshan-2025!"
DEMO_PASSWORD = "yiwang-demo"


def id_number(county: str = "110101", birth: str = "19900307", seq: str = "123") -> str:
    """A GB 11643 resident ID number with its correct check character."""
    body = county + birth + seq
    return body + ric_check_digit(body)


def wrong_check_digit(number: str) -> str:
    """The same number with a check character that does not match."""
    right = number[-1]
    wrong = next(c for c in "0123456789X" if c != right)
    return number[:-1] + wrong


def uscc(body: str = "MA01ABCD") -> str:
    """A unified social credit code of an enterprise (91 = 工商 / 企业) with its check character."""
    return uscc_with_check(f"91110101{body}X")


def masked(number: str) -> str:
    """How pages show an ID number: the first 4 and last 4 characters only."""
    return number[:4] + "*" * (len(number) - 8) + number[-4:]
