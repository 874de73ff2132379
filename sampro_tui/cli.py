"""The `sampro` command: `sampro [--server URL]` and `sampro demo`."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sampro",
        description="SamPro: individual plans (individuell plan) in the terminal.",
    )
    parser.add_argument("--server", metavar="URL", help="the SamPro server to use")
    parser.add_argument(
        "command",
        nargs="?",
        choices=["demo"],
        help="demo: start a local demo server with fictional data and open SamPro on it",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from sampro_tui.config import config_path, load_config

    path = config_path()
    config = load_config(path, server_override=args.server)
    if args.command == "demo":
        return run_demo(config)
    from sampro_tui.app import SamproApp

    SamproApp(config, config_path=path, tune_gc=True).run()
    return 0


def run_demo(config: object) -> int:
    from sampro_tui.app import SamproApp
    from sampro_tui.config import Config
    from sampro_tui.demo import DemoError, DemoServer
    from sampro_tui.i18n import set_language, t

    assert isinstance(config, Config)
    set_language(config.language)
    demo = DemoServer()

    def stop_on_signal(signum: int, frame: object) -> None:
        demo.stop()  # a closed terminal (SIGHUP) or kill still removes the server and folder
        raise SystemExit(128 + signum)

    for name in ("SIGHUP", "SIGTERM"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), stop_on_signal)
    try:
        print(t("demo.starting"), file=sys.stderr)
        try:
            demo.start()
        except (DemoError, OSError) as exc:
            print(t("error.demo_failed", reason=exc), file=sys.stderr)
            return 1
        config.server_url = demo.url
        config.remember_session = False
        SamproApp(config, persist=False, demo=demo, tune_gc=True).run()
        return 0
    finally:
        demo.stop()


if __name__ == "__main__":
    sys.exit(main())
