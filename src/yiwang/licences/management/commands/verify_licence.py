"""`yiwang verify-licence PAYLOAD --lists DIR`: verify a licence's QR offline, with no server and
no database, from the files `yiwang export-licence-lists DIR` wrote (or the same documents
downloaded from /api/v1/licences/trust-list and /api/v1/licences/status-lists/{issuer code}).

PAYLOAD is the QR's text (YWL1:…), `-` to read it from standard input (a scanner that types), or
`@FILE`. Exit status: 0 valid, 1 any other answer, 2 the lists could not be read.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from yiwang.licences import offline


def load_lists(directory: Path) -> tuple[dict, dict[str, dict]]:
    try:
        trust = json.loads((directory / "trust-list.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CommandError(f"cannot read {directory / 'trust-list.json'}: {error}", returncode=2) from error
    lists: dict[str, dict] = {}
    for path in sorted((directory / "status-lists").glob("*.json")):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # an unreadable list: its issuer's licences answer "status unknown"
        if isinstance(document, dict) and isinstance(document.get("issuer_code"), str):
            lists[document["issuer_code"]] = document
    return trust, lists


CLAIM_LABELS = {
    "n": "证照名称",
    "no": "证照编号",
    "h": "持证主体",
    "hi": "证件号码",
    "d": "",
    "is": "发证机关",
    "ic": "发证机关代码",
    "t": "颁证日期",
    "f": "有效期起",
    "u": "有效期至",
    "id": "证照标识",
    "url": "核验地址",
}


class Command(BaseCommand):
    help = "Verify a licence QR payload offline with the exported trust list and status lists."
    requires_system_checks: list[str] = []  # runs on a verifier machine with no database

    def add_arguments(self, parser):
        parser.add_argument(
            "payload", help="二维码内容（YWL1:…），- 表示从标准输入读取，@文件 表示从文件读取"
        )
        parser.add_argument("--lists", default=".", help="export-licence-lists 导出的目录")
        parser.add_argument("--date", help="按该日期核验有效期（YYYY-MM-DD），默认今天")
        parser.add_argument("--json", action="store_true", help="输出 JSON")
        parser.add_argument("--english", action="store_true", help="English messages")

    def handle(self, *args, **options):
        text = options["payload"]
        if text == "-":
            text = sys.stdin.read()
        elif text.startswith("@"):
            text = Path(text[1:]).read_text(encoding="utf-8")
        trust, lists = load_lists(Path(options["lists"]))
        now = timezone.now()
        today = dt.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        try:
            verdict = offline.verify(text.strip(), trust, lists, today, now)
        except ValueError as error:
            raise CommandError(f"the lists are not usable: {error}", returncode=2) from error
        message = (
            offline.ENGLISH.get(verdict.code, verdict.message) if options["english"] else verdict.message
        )
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "code": verdict.code,
                        "genuine": verdict.genuine,
                        "message": message,
                        "claims": verdict.claims,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            self.stdout.write(f"{verdict.code}: {message}")
            claims = verdict.claims or {}
            for key, label in CLAIM_LABELS.items():
                if key == "d":
                    for name, shown in (claims.get("d") or {}).items():
                        self.stdout.write(f"  {name}: {shown}")
                elif key in claims:
                    self.stdout.write(f"  {label}: {claims[key] if claims[key] is not None else '长期'}")
        if verdict.code != "valid":
            sys.exit(1)
