"""`sampro-server`: serve, create-admin, demo-seed, backup, restore."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from server.config import Settings


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from server.migrate import upgrade

    upgrade(settings.resolved_database_url)
    if args.workers > 1:
        uvicorn.run(
            "server.asgi:app",
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level=args.log_level,
            access_log=args.access_log,
        )
    else:
        from server.app import create_app, freeze_startup_heap

        app = create_app(settings)
        freeze_startup_heap()
        uvicorn.run(
            app,
            host=args.host,
            port=args.port,
            log_level=args.log_level,
            access_log=args.access_log,
        )
    return 0


def _create_admin(args: argparse.Namespace, settings: Settings) -> int:
    from pydantic import ValidationError

    from sampro_contract import PersonCreate
    from server.accounts.bootstrap import AdminExists, create_admin
    from server.migrate import upgrade

    try:  # the same address rule as every other person's
        PersonCreate(first_name="System", last_name="Administrator", email=args.email)
    except ValidationError as exc:
        print(
            f"error: --email: {exc.errors()[0]['msg'].removeprefix('Value error, ')}",
            file=sys.stderr,
        )
        return 2
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        print("error: give the password on standard input", file=sys.stderr)
        return 2
    upgrade(settings.resolved_database_url)
    try:
        create_admin(settings, args.username, args.email, password, unit_name=args.unit)
    except AdminExists as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"System administrator {args.username.lower()} created.")
    return 0


def _demo_seed(args: argparse.Namespace, settings: Settings) -> int:
    from server.demo.seed import seed
    from server.migrate import upgrade

    upgrade(settings.resolved_database_url)
    accounts = seed(settings)
    if args.json:
        print(json.dumps([a.__dict__ for a in accounts], ensure_ascii=False))
    else:
        print("Demo data created. Accounts (username / password / role):")
        for a in accounts:
            print(f"  {a.username:<16} {a.password:<24} {a.role:<12} {a.description}")
    return 0


def _backup_or_restore(args: argparse.Namespace, settings: Settings, *, restoring: bool) -> int:
    from server.backup import BackupError, backup, restore

    try:
        (restore if restoring else backup)(settings.resolved_database_url, Path(args.path))
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if restoring:
        print(f"Restored from {args.path}; `sampro-server serve` migrates it if it is older.")
    else:
        print(f"Backup written to {args.path}.")
    return 0


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    return _backup_or_restore(args, settings, restoring=False)


def _restore(args: argparse.Namespace, settings: Settings) -> int:
    return _backup_or_restore(args, settings, restoring=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sampro-server", description="The SamPro HTTP backend")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="migrate to the newest schema, then serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--log-level", default="info")
    # Off by default: request lines carry search words (people's names) in their query
    # strings, and the audit log, not stdout, is the record of who read what.
    serve.add_argument(
        "--access-log",
        action="store_true",
        help="log every request line (URLs may hold search words: names)",
    )
    admin = sub.add_parser(
        "create-admin", help="the first system administrator (password on stdin)"
    )
    admin.add_argument("--username", required=True)
    admin.add_argument("--email", required=True)
    admin.add_argument("--unit", default="Kommunen", help="name of the first unit")
    demo = sub.add_parser("demo-seed", help="fictional demo organisation, people and plans")
    demo.add_argument("--json", action="store_true", help="print the accounts as JSON")
    backup = sub.add_parser(
        "backup", help="a consistent copy of the database while the server runs"
    )
    backup.add_argument("path", help="the new backup file")
    restore = sub.add_parser("restore", help="a backup into a new, empty database")
    restore.add_argument("path", help="the backup file")
    args = parser.parse_args(argv)
    try:
        settings = Settings()
    except ValueError as exc:
        print(f"error: bad configuration: {exc}", file=sys.stderr)
        return 2
    handlers = {
        "serve": _serve,
        "create-admin": _create_admin,
        "demo-seed": _demo_seed,
        "backup": _backup,
        "restore": _restore,
    }
    return handlers[args.command](args, settings)
