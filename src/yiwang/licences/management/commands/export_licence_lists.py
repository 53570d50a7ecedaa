"""`yiwang export-licence-lists DIR`: what a hall's offline verifier needs, written to DIR.

    DIR/trust-list.json                   every seal's public key, key id, validity, withdrawal
    DIR/status-lists/{issuer code}.json   each issuer's signed status list (2 bits per licence)

Copy DIR to the verifier (a USB stick on an intranet machine) and run `yiwang verify-licence`.
The status lists carry a time to live (`valid_until`, YIWANG_STATUS_LIST_TTL): export again before
it passes, or the verifier answers "status unknown" for licences whose status it cannot confirm.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from yiwang.core.models import Department
from yiwang.licences import keys, statuses
from yiwang.licences.models import SealKey


class Command(BaseCommand):
    help = "Export the trust list and every issuer's status list for offline verification."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="目标目录（会创建）")

    def handle(self, *args, **options):
        target = Path(options["directory"])
        (target / "status-lists").mkdir(parents=True, exist_ok=True)
        trust = keys.trust_list()
        (target / "trust-list.json").write_text(
            json.dumps(trust, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        issuers = Department.objects.filter(
            pk__in=SealKey.objects.filter(valid_until__isnull=True, withdrawn_at__isnull=True).values(
                "department"
            )
        )
        written = 0
        for issuer in issuers:
            document = statuses.status_list_of(issuer)
            if document is None:
                continue
            path = target / "status-lists" / f"{issuer.uscc}.json"
            path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
            written += 1
        self.stdout.write(
            f"trust list: {len(trust['keys'])} keys; status lists: {written} issuers → {target.resolve()}"
        )
