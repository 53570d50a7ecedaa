"""Structured logs: one JSON object per line, with personal data masked before it is written.

What is masked in every line (the app's logs through `JsonFormatter` / `MaskPersonalDataFilter`,
gunicorn's access log through `GunicornLogger`):
- ID numbers and mobile numbers anywhere (`core.masking.mask_text`);
- in a query string (`?…` in a URL, or gunicorn's `%(q)s`): the value of any parameter that is a
  credential (`token`, `access_token`, `code`, `password`, anything named like a token, secret or
  password) entirely, and in the others ID numbers, mobile numbers and unified social credit codes
  (统一社会信用代码).
Kept free of Django imports: gunicorn's master process loads `GunicornLogger` before Django.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from urllib.parse import unquote_plus

from yiwang.core.masking import mask_id_number, mask_text

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

# Query parameters whose whole value is a credential.
SECRET_PARAMS = frozenset(
    {"code", "code_verifier", "otp", "key", "sig", "signature", "session", "sessionid", "ticket", "auth"}
)
_SECRET_NAME = re.compile(r"token|secret|passw|pwd|api[_-]?key|credential", re.IGNORECASE)
# A unified social credit code (GB 32100): 18 characters of its alphabet (no I, O, S, V, Z).
_USCC_IN_TEXT = re.compile(
    r"(?<![0-9A-Za-z])([0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{2}\d{6}[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{10})(?![0-9A-Za-z])"
)
# A query string inside a longer text: from "?" to whitespace, a quote or a fragment.
_QUERY_IN_TEXT = re.compile(r"\?([^\s\"'#<>]*)")
MASK = "***"


def _secret_param(name: str) -> bool:
    name = unquote_plus(name).strip().lower()
    return name in SECRET_PARAMS or bool(_SECRET_NAME.search(name))


def mask_query(query: str) -> str:
    """A query string (without the "?") with credentials and personal data masked."""
    if not query:
        return query
    parts = []
    for pair in re.split(r"([&;])", query):
        if pair in ("&", ";") or "=" not in pair:
            parts.append(mask_text(pair) if pair not in ("&", ";") else pair)
            continue
        name, value = pair.split("=", 1)
        if _secret_param(name) and value:
            value = MASK
        else:
            value = _USCC_IN_TEXT.sub(lambda m: mask_id_number(m.group(1)), mask_text(value))
        parts.append(f"{mask_text(name)}={value}")
    return "".join(parts)


def mask_log_text(text: str) -> str:
    """A log line's text: every query string in it masked, then ID and mobile numbers anywhere."""
    if "?" in text:
        text = _QUERY_IN_TEXT.sub(lambda m: "?" + mask_query(m.group(1)), text)
    return mask_text(text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_log_text(record.getMessage()),
        }
        # Extra fields and tracebacks carry personal data as easily as the message does.
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key != "request":
                if isinstance(value, (bool, float, type(None))):
                    entry[key] = value
                elif isinstance(value, int):  # a phone number logged as an int is still a phone number
                    entry[key] = value if mask_text(str(value)) == str(value) else mask_text(str(value))
                elif key == "query":
                    entry[key] = mask_query(str(value))
                else:
                    entry[key] = mask_log_text(value if isinstance(value, str) else str(value))
        if record.exc_info:
            entry["exception"] = mask_log_text(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class MaskPersonalDataFilter(logging.Filter):
    """Rewrite the message so no full ID number, mobile number or query credential reaches a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_log_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


# --- gunicorn's access log ----------------------------------------------------------------------
# Atoms that are credentials whole (request and response headers, and their WSGI environ names).
_SECRET_ATOMS = frozenset(
    {
        "{authorization}i",
        "{proxy-authorization}i",
        "{cookie}i",
        "{set-cookie}o",
        "{http_authorization}e",
        "{http_proxy_authorization}e",
        "{http_cookie}e",
    }
)
_QUERY_ATOMS = frozenset({"q", "{query_string}e"})


def mask_access_atoms(atoms: dict) -> dict:
    """gunicorn's access-log atoms with the query string, URLs, headers and environ masked."""
    masked = {}
    for key, value in atoms.items():
        if not isinstance(value, str):
            masked[key] = value
        elif key.lower() in _SECRET_ATOMS and value:
            masked[key] = MASK
        elif key in _QUERY_ATOMS:
            masked[key] = mask_query(value)
        else:
            masked[key] = mask_log_text(value)
    return masked


try:
    from gunicorn.glogging import Logger as _GunicornBase
except ImportError:  # pragma: no cover - gunicorn is a dependency; tolerate its absence in tools
    _GunicornBase = object  # type: ignore[assignment,misc]


class GunicornLogger(_GunicornBase):  # type: ignore[misc,valid-type]
    """gunicorn's logger (`--logger-class`, set by `yiwang serve`) whose access log masks the query
    string (`%(q)s`), the request line (`%(r)s`), the referrer, the path, every header and environ
    value, and leaves out credentials (Authorization, Cookie); and whose own lines are masked as
    the platform's are: gunicorn names a request line it cannot read in its warning, and that
    line is the client's text (an ID number in a path, a mobile number in a query)."""

    def setup(self, cfg):
        super().setup(cfg)
        if not any(isinstance(f, MaskPersonalDataFilter) for f in self.error_log.filters):
            self.error_log.addFilter(MaskPersonalDataFilter())  # setup runs again on a reload

    def atoms(self, resp, req, environ, request_time):
        return mask_access_atoms(super().atoms(resp, req, environ, request_time))
