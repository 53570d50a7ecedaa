"""Electronic licences: issuing, the QR payload's size, offline and API verification.

    .venv/bin/python bench/licences.py [--backend sqlite|postgresql] [--licences 2000] [--seconds 8]

Beside its own figures it measures, in the same run, the yardsticks issue 10 names, each in
one-second slices taking turns with what it measures (this host's speed moves within minutes):
- `openssl speed sm2` (one core): the SM2 verifications per second of OpenSSL's C code; the aim
  is offline verification (trust list + status list, no server) at ≥ 80 % of it;
- the server's trivial endpoint (`GET /api/v1/calendar/deadline`) over HTTP on the same gunicorn
  (2 workers × 4 threads, as `yiwang serve`), the same clients: the aim is the verification API
  (the signature checked on every request) at ≥ 0.7× its requests per second and ≥ 1,000/s.

The API's rate limiter is off for the server under test (every request here comes from one
address); it adds one upsert to every API request, trivial endpoint included.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path = [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

from _common import ROOT, psql, report, setup_django  # noqa: E402
from _http import http_rate, measured, start_gunicorn, stop  # noqa: E402

PG_DB = "yiwang_bench_licences"


def openssl_sm2_verify_per_second(seconds: int) -> float | None:
    """SM2 verifications per second by `openssl speed` on one core, or None without openssl."""
    if not shutil.which("openssl"):
        return None
    out = subprocess.run(
        ["openssl", "speed", "-seconds", str(seconds), "sm2"], capture_output=True, text=True
    ).stdout
    # "   256 bits SM2 (CurveSM2)   0.0002s   0.0005s   5000.0   2200.0": sign/s, verify/s last.
    match = re.search(r"SM2 \(CurveSM2\)\s+[\d.]+s\s+[\d.]+s\s+([\d.]+)\s+([\d.]+)", out)
    return float(match.group(2)) if match else None


def database_url(backend: str) -> str:
    if backend == "postgresql":
        from _common import pg_url

        psql(f"DROP DATABASE IF EXISTS {PG_DB}")
        made = psql(f"CREATE DATABASE {PG_DB} ENCODING 'UTF8' TEMPLATE template0")
        if made.returncode:
            raise SystemExit(f"cannot create {PG_DB}: {made.stderr}")
        return pg_url(PG_DB)
    path = ROOT / "var" / "bench-licences.sqlite3"
    path.parent.mkdir(exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def setup_issuer():
    """A county's market regulator with its seal and the business licence type (the demo's)."""
    from yiwang.core import services as core
    from yiwang.core.models import DepartmentNature
    from yiwang.demo.licences import BUSINESS_SCHEMA
    from yiwang.demo.region import department_uscc
    from yiwang.licences import keys
    from yiwang.licences.models import LicenceType

    core.create_division("150000", "内蒙古自治区")
    core.create_division("150100", "测试市")
    issuer = core.create_department(
        name="测试市市场监督管理局",
        uscc=department_uscc("150100", 7, DepartmentNature.ADMINISTRATIVE),
        division="150100",
        nature=DepartmentNature.ADMINISTRATIVE,
    )
    keys.create_key(issuer, None)
    licence_type = LicenceType.objects.create(
        code=issuer.uscc + "001",
        name="营业执照",
        agency=issuer,
        holder_kind="enterprise",
        schema=BUSINESS_SCHEMA,
        layout={"shown": [f["name"] for f in BUSINESS_SCHEMA["fields"]]},
        number_prefix="YZ",
    )
    return issuer, licence_type


def issue_one(issuer, licence_type, i: int):
    from yiwang.demo.region import enterprise_uscc
    from yiwang.licences import issuing

    return issuing.issue(
        licence_type=licence_type,
        issuer=issuer,
        holder={
            "holder_kind": "enterprise",
            "holder_name": f"青山市第{i}号餐饮有限公司",
            "holder_id": enterprise_uscc("150100", f"{i:08d}"[-8:]),
        },
        data={
            "name": f"青山市第{i}号餐饮有限公司",
            "company_type": "有限责任公司（自然人投资或控股）",
            "legal_representative": "王小明",
            "registered_capital": "100",
            "business_scope": "餐饮服务；食品销售（仅销售预包装食品）；烟草制品零售",
            "address": f"内蒙古自治区青山市青城区迎宾路{i}号",
        },
        issued_on=dt.date(2026, 11, 2),
        related_item="企业开办",
    )


def measure_issuing(issuer, licence_type, count: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as counted:
        issue_one(issuer, licence_type, 0)
    statements = [q["sql"] for q in counted.captured_queries]
    transactions = sum(1 for s in statements if s.upper().startswith(("BEGIN", "SAVEPOINT")))
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(1, count):
        issue_one(issuer, licence_type, i)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {
        "count": count,
        "per_second": (count - 1) / wall,
        "cpu_ms": cpu * 1000 / (count - 1),
        "statements": len(statements),
        "transactions": max(1, transactions),
    }


def measure_offline(payloads: list[str], seconds: float) -> dict:
    """Offline verifications per second beside `openssl speed sm2`, in one-second slices taking
    turns (this host's speed moves within minutes: a ratio of two runs minutes apart would measure
    the host as much as the code). The ratio is of the two means."""
    from django.utils import timezone

    from yiwang.core.models import Department
    from yiwang.licences import keys, offline, statuses

    trust = json.loads(json.dumps(keys.trust_list()))
    lists = {d.uscc: statuses.status_list_of(d) for d in Department.objects.filter(seal_keys__isnull=False)}
    lists = json.loads(json.dumps({k: v for k, v in lists.items() if v}))
    verifier = offline.Verifier(trust, lists)
    today, now = timezone.localdate(), timezone.now()
    codes = {verifier.verify(p, today, now).code for p in payloads[:50]}
    done, wall, cpu, openssl_rates = 0, 0.0, 0.0, []
    for _ in range(max(1, round(seconds))):
        rate = openssl_sm2_verify_per_second(1)
        if rate:
            openssl_rates.append(rate)
        started, cpu_started = time.perf_counter(), time.process_time()
        while time.perf_counter() - started < 1.0:
            for p in payloads[:100]:
                verifier.verify(p, today, now)
            done += min(100, len(payloads))
        wall += time.perf_counter() - started
        cpu += time.process_time() - cpu_started
    return {
        "per_second": done / wall,
        "cpu_us": cpu * 1e6 / done,
        "codes": sorted(codes),
        "openssl": sum(openssl_rates) / len(openssl_rates) if openssl_rates else None,
        "openssl_range": (min(openssl_rates), max(openssl_rates)) if openssl_rates else None,
    }


def measure_signature(seconds: float) -> dict:
    """SM2 verifications per second of `seal.verify` (the extension where compiled) and of Tongsuo
    alone, interleaved in one-second slices so that both see the same host."""
    from yiwang.licences import seal

    pair = seal.generate()
    message = b"x" * 200  # about a payload's signed bytes
    signature = seal.sign(pair.private, message)
    done = {"verify": 0, "tongsuo": 0}
    spent = {"verify": 0.0, "tongsuo": 0.0}
    functions = {"verify": seal.verify, "tongsuo": seal.verify_tongsuo}
    for function in functions.values():
        assert function(pair.public, message, signature)
    end = time.perf_counter() + 2 * seconds
    while time.perf_counter() < end:
        for name, function in functions.items():
            started = time.perf_counter()
            while time.perf_counter() - started < 0.5:
                for _ in range(50):
                    function(pair.public, message, signature)
                done[name] += 50
            spent[name] += time.perf_counter() - started
    return {name: done[name] / spent[name] for name in done} | {"fast": seal.FAST}


def measure_payload(payload: str) -> dict:
    import segno

    from yiwang.licences import qr_payload

    code = segno.make(payload, error="m", micro=False)
    return {"chars": len(payload), "qr_version": code.version, **qr_payload.size_report(payload)}


def measure_http(url: str, identifiers: list[str], payloads: list[str], seconds: float) -> dict:
    """Trivial endpoint, then the verification API by identifier and by scanned payload, on one server."""
    proc, port = start_gunicorn(url, {"API_RATE_LIMIT_ENABLED": "0"})
    trivial = ["/api/v1/calendar/deadline?start=2026-09-30&workdays=1"]
    by_id = [f"/api/v1/licences/{i}/verification" for i in identifiers]
    scans = [("POST", "/api/v1/licences/verification", json.dumps({"payload": p}).encode()) for p in payloads]
    try:
        http_rate(port, trivial + by_id[:50], 2.0)  # warm every worker and thread
        # One-second slices taking turns, summed: the three see the same moments of the host.
        kinds = {"trivial": trivial, "by_identifier": by_id, "by_payload": scans}
        slices: dict[str, list[dict]] = {name: [] for name in kinds}
        for _ in range(max(1, round(seconds))):
            for name, requests in kinds.items():
                slices[name].append(measured(proc, port, requests, 1.0))
        result = {}
        for name, parts in slices.items():
            done = sum(part["rate"] for part in parts)  # each slice lasted one second
            result[name] = {
                "rate": done / len(parts),
                "failed": sum(part["failed"] for part in parts),
                "cpu_ms": sum(part["cpu_ms"] * part["rate"] for part in parts) / max(1.0, done),
            }
    finally:
        stop(proc)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--licences", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=8.0)  # the figures in README: 8 slices each
    args = parser.parse_args()
    os.environ["API_RATE_LIMIT_ENABLED"] = "0"
    url = database_url(args.backend)
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    issuer, licence_type = setup_issuer()
    issued = measure_issuing(issuer, licence_type, args.licences)
    from yiwang.licences.models import Licence

    sample = list(Licence.objects.order_by("?").values_list("identifier", "payload")[:500])
    identifiers = [i for i, _ in sample]
    payloads = [p for _, p in sample]
    size = measure_payload(payloads[0])
    offline_rate = measure_offline(payloads, args.seconds)
    openssl = offline_rate["openssl"]
    signature = measure_signature(args.seconds)
    connection.close()
    http = measure_http(url, identifiers, payloads, args.seconds)

    trivial = http["trivial"]

    def served(name: str) -> str:
        m = http[name]
        return (
            f"{m['rate']:.0f} req/s = {m['rate'] / trivial['rate']:.2f}× trivial, "
            f"{m['cpu_ms']:.2f} ms server CPU = {trivial['cpu_ms'] / m['cpu_ms']:.2f}× trivial's rate per core "
            f"(failed {m['failed']})"
        )

    report(
        f"Electronic licences ({connection.vendor}, {args.licences} issued)",
        [
            (
                "issue (sign + keep, one thread)",
                f"{issued['per_second']:.0f}/s, {issued['cpu_ms']:.2f} ms CPU, "
                f"{issued['statements']} statements in {issued['transactions']} transaction(s) per licence",
            ),
            (
                "QR payload (business licence, 6 fields)",
                f"{size['chars']} characters → QR version {size['qr_version']} (level M); "
                f"{size.get('cbor_bytes', '?')} bytes CBOR claims",
            ),
            (
                "openssl speed sm2 verify (1 core)",
                f"{openssl:.0f}/s (mean of 1-second runs taking turns with the offline verifier: "
                f"{offline_rate['openssl_range'][0]:.0f}–{offline_rate['openssl_range'][1]:.0f}/s)"
                if openssl
                else "openssl missing",
            ),
            (
                "seal.verify alone (1 thread, interleaved)",
                f"{signature['verify']:.0f}/s ({'extension _sm2' if signature['fast'] else 'Tongsuo: extension not compiled'})"
                f"; Tongsuo alone {signature['tongsuo']:.0f}/s",
            ),
            (
                "offline verify (Verifier, 1 thread)",
                f"{offline_rate['per_second']:.0f}/s ({offline_rate['cpu_us']:.0f} µs CPU each)"
                + (
                    f" = {offline_rate['per_second'] / openssl:.0%} of openssl (aim ≥ 80 %)"
                    if openssl
                    else ""
                )
                + f"; answers {offline_rate['codes']}",
            ),
            (
                "trivial endpoint over HTTP",
                f"{trivial['rate']:.0f} req/s, {trivial['cpu_ms']:.2f} ms server CPU (failed {trivial['failed']})",
            ),
            ("GET /licences/{id}/verification", served("by_identifier") + " (aim ≥ 0.7×, ≥ 1,000/s)"),
            ("POST /licences/verification (payload)", served("by_payload")),
        ],
    )


if __name__ == "__main__":
    main()
