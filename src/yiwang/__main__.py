"""The `yiwang` command: `demo`, `serve`, `worker`, `manage ...`, and the domain commands.

Anything that is not one of the first four is passed to Django's management, so
`yiwang import-calendar FILE` is `yiwang manage import_calendar FILE`.
"""

from __future__ import annotations

import argparse
import os
import sys


def _django(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["yiwang", *argv])


def gunicorn_argv(host: str, port: int, workers: int) -> list[str]:
    """gunicorn's command line for `yiwang serve` (threads share one process's calendar and
    connections)."""
    return [
        "gunicorn",
        "yiwang.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        "4",
        # gunicorn's threaded worker, whose own answers to a request it cannot read (raw UTF-8 in
        # the request line, a malformed header) are in Chinese and English (`core.server`).
        "--worker-class",
        "yiwang.core.server.ThreadWorker",
        # No access log: the application logs each request once (`yiwang.request`, JSON, masked,
        # with its request id and duration). The logger class masks gunicorn's own lines, and an
        # access log should an operator turn one on (--access-logfile).
        "--logger-class",
        "yiwang.core.logging.GunicornLogger",
        "--graceful-timeout",
        "5",
    ]


def _serve(host: str, port: int, workers: int) -> None:
    from gunicorn.app.wsgiapp import run

    sys.argv = gunicorn_argv(host, port, workers)
    run()


def _serve_with_worker(host: str, port: int) -> None:
    """The demo runs what production runs: the web server and, beside it, the worker that delivers
    events (notices, mail) and sweeps deadlines. The worker stops with the server."""
    import subprocess

    worker = subprocess.Popen([sys.executable, "-m", "yiwang", "worker"])
    print(f"Worker started beside the web server (pid {worker.pid}).", file=sys.stderr)
    try:
        _serve(host, port, 2)
    finally:
        if worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="yiwang", description="一网 Yiwang 政务服务平台")
    sub = parser.add_subparsers(dest="command")
    demo = sub.add_parser("demo", help="migrate, load the demo region and serve it")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--no-serve", action="store_true", help="set up the demo data only")
    serve = sub.add_parser("serve", help="migrate and serve the platform")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    worker = sub.add_parser("worker", help="deliver events, run periodic sweeps and background tasks")
    worker.add_argument("--interval", default="1", help="seconds to wait when idle")
    worker.add_argument("--until-idle", action="store_true", help="stop once nothing is due")
    sub.add_parser("manage", help="Django management: yiwang manage <command> ...", add_help=False)

    if not argv or argv[0] in {"-h", "--help"}:
        parser.print_help()
        return
    if argv[0] == "manage":
        _django(argv[1:])
        return
    if argv[0] not in {"demo", "serve", "worker"}:
        _django([argv[0].replace("-", "_"), *argv[1:]])
        return
    args = parser.parse_args(argv)
    if args.command == "worker":
        _django(["run_worker", "--interval", args.interval, *(["--until-idle"] if args.until_idle else [])])
    elif args.command == "serve":
        _django(["migrate", "--noinput", "-v", "0"])
        print(
            "yiwang serve: the web server only. Run `yiwang worker` beside it (one or more), or no "
            "notice is delivered and no deadline swept.",
            file=sys.stderr,
        )
        _serve(args.host, args.port, args.workers)
    elif args.command == "demo":
        _django(["migrate", "--noinput", "-v", "0"])
        _django(["load_demo"])
        if not args.no_serve:
            _serve_with_worker(args.host, args.port)


if __name__ == "__main__":
    main()
