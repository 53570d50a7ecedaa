"""Structured logs: one JSON object per line, with personal data masked before it is written."""

from __future__ import annotations

import datetime as dt
import json
import logging

from yiwang.core.masking import mask_text

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_text(record.getMessage()),
        }
        # Extra fields and tracebacks carry personal data as easily as the message does.
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key != "request":
                if isinstance(value, (bool, float, type(None))):
                    entry[key] = value
                elif isinstance(value, int):  # a phone number logged as an int is still a phone number
                    entry[key] = value if mask_text(str(value)) == str(value) else mask_text(str(value))
                else:
                    entry[key] = mask_text(value if isinstance(value, str) else str(value))
        if record.exc_info:
            entry["exception"] = mask_text(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class MaskPersonalDataFilter(logging.Filter):
    """Rewrite the message so no full ID number or mobile number reaches a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
