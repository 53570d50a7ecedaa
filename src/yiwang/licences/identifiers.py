"""Electronic licence identifiers (电子证照标识) after GB/T 36904:

    1.2.156.3005.2.<type code>.<issuer code>.<serial>.<version>.<check>

- type code: the defining agency's unified social credit code (18 characters) followed by a 3-digit
  type number (21 characters in all);
- issuer code: the issuing department's unified social credit code (18 characters);
- serial: decimal, zero-padded to at least 7 digits;
- version: 3 digits, 001 to 999 (a renewal or change is a new version of the same licence);
- check: one character, ISO 7064 MOD 37,36 over the type code, issuer code, serial and version
  written together without dots.

The check character is what lets a clerk or a verifier who types or scans an identifier catch a
mistake before looking anything up: MOD 37,36 detects every single-character substitution and
almost every transposition, so a mistyped identifier is reported as such instead of "not found",
and an identifier someone made up is very likely to fail too.

Pure (no Django): the offline verifier on a hall's computer parses identifiers with no database.
Parsing never raises anything but `InvalidIdentifier`, whatever string it is given, because it
sees text typed by the public and decoded from QR codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum.iso7064 import mod_37_36

PREFIX = "1.2.156.3005.2."

# Longest identifier accepted: the fixed parts take 62 characters, which leaves the serial up to 38
# digits. Anything longer is refused before any other work, so a megabyte of pasted text costs nothing.
MAX_LENGTH = 100

MESSAGES = {
    "format": "证照标识格式不正确",
    "prefix": "不是电子证照标识（前缀应为 1.2.156.3005.2.）",
    "check": "证照标识校验位不正确，可能输入有误或被伪造",
}

_TYPE_CODE = re.compile(r"[0-9A-Z]{18}[0-9]{3}")
_ISSUER_CODE = re.compile(r"[0-9A-Z]{18}")
# One written form per identifier: the serial is exactly 7 digits (leading zeros allowed) or longer
# without a leading zero, as `make` writes it; the version is 001..999. A second spelling of the
# same identifier ("00000012" for "0000012") would be a second key for one licence.
_BODY = re.compile(
    r"(?P<type>[0-9A-Z]{18}[0-9]{3})\.(?P<issuer>[0-9A-Z]{18})\."
    r"(?P<serial>[0-9]{7}|[1-9][0-9]{7,})\.(?P<version>[0-9]{3})\.(?P<check>[0-9A-Z])"
)
_MAX_SERIAL = 10 ** (MAX_LENGTH - len(PREFIX) - 21 - 18 - 3 - 1 - 4) - 1


class InvalidIdentifier(ValueError):
    """The text is not a well-formed licence identifier. `code` says which rule failed ("format",
    "prefix" or "check"), so callers can choose their words; the message is the Chinese one shown
    to people."""

    def __init__(self, code: str, message: str | None = None) -> None:
        self.code = code
        self.message = message or MESSAGES[code]
        super().__init__(self.message)


@dataclass(frozen=True)
class Parts:
    """An identifier taken apart; `identifier` writes it back."""

    type_code: str
    issuer_code: str
    serial: int
    version: int
    check: str

    @property
    def identifier(self) -> str:
        return (
            f"{PREFIX}{self.type_code}.{self.issuer_code}.{self.serial:07d}.{self.version:03d}.{self.check}"
        )


def _body(type_code: str, issuer_code: str, serial: int, version: int) -> str:
    """The dotless text the check character covers, after checking each part's shape."""
    if not isinstance(type_code, str) or not _TYPE_CODE.fullmatch(type_code):
        raise InvalidIdentifier("format", "证照类型代码应为18位统一社会信用代码加3位数字")
    if not isinstance(issuer_code, str) or not _ISSUER_CODE.fullmatch(issuer_code):
        raise InvalidIdentifier("format", "发证机关代码应为18位统一社会信用代码")
    if isinstance(serial, bool) or not isinstance(serial, int) or not 0 <= serial <= _MAX_SERIAL:
        raise InvalidIdentifier("format", "证照流水号应为非负整数")
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= 999:
        raise InvalidIdentifier("format", "证照版本号应为1至999")
    return f"{type_code}{issuer_code}{serial:07d}{version:03d}"


def check_character(type_code: str, issuer_code: str, serial: int, version: int) -> str:
    """The MOD 37,36 check character of an identifier's parts."""
    return mod_37_36.calc_check_digit(_body(type_code, issuer_code, serial, version))


def make(type_code: str, issuer_code: str, serial: int, version: int) -> str:
    """The identifier of version `version` of licence number `serial` of a type from an issuer."""
    check = check_character(type_code, issuer_code, serial, version)
    return f"{PREFIX}{type_code}.{issuer_code}.{serial:07d}.{version:03d}.{check}"


def _shape(identifier: str) -> re.Match[str]:
    """The identifier's parts by the pattern, every rule checked but the check character."""
    if not isinstance(identifier, str):
        raise InvalidIdentifier("format")
    text = identifier.strip()
    if not text or len(text) > MAX_LENGTH:
        raise InvalidIdentifier("format")
    if not text.startswith(PREFIX):
        raise InvalidIdentifier("prefix")
    match = _BODY.fullmatch(text, len(PREFIX))
    if match is None or int(match["version"]) == 0:
        raise InvalidIdentifier("format")
    return match


def well_shaped(identifier: str) -> bool:
    """Whether `parse` would find every part where it belongs (the check character not computed).

    Online verification looks an identifier up once it has this shape and computes the check
    character only when no record has it: an issued identifier was made with it (`make`), and
    the sum in pure Python is a tenth of a verification's own work."""
    try:
        _shape(identifier)
    except InvalidIdentifier:
        return False
    return True


def parse(identifier: str) -> Parts:
    """Take an identifier apart, checking its shape and check character.

    Surrounding whitespace is ignored (it comes with copying and pasting); letters must be upper
    case, as issued, so that each licence has exactly one written identifier. Raises
    `InvalidIdentifier` and nothing else.
    """
    match = _shape(identifier)
    version = int(match["version"])
    body = match["type"] + match["issuer"] + match["serial"] + match["version"]
    if mod_37_36.calc_check_digit(body) != match["check"]:
        raise InvalidIdentifier("check")
    return Parts(match["type"], match["issuer"], int(match["serial"]), version, match["check"])
