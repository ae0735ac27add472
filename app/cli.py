"""The ``luanma`` command: ``luanma repair`` and ``luanma serve``."""

from __future__ import annotations

import argparse
import json
import sys

from . import __version__
from .errors import RepairError


def _repair(args: argparse.Namespace) -> int:
    from .engine import repair_bytes
    from .settings import get_settings

    if args.file == "-":
        data = sys.stdin.buffer.read()
    else:
        try:
            with open(args.file, "rb") as f:
                data = f.read()
        except OSError as exc:
            print(f"luanma: {exc}", file=sys.stderr)
            return 2
    try:
        default_convert = get_settings().default_convert
    except ValueError as exc:  # pydantic's ValidationError: a bad LUANMA_* variable
        print(f"luanma: bad setting: {exc}", file=sys.stderr)
        return 2
    try:
        result = repair_bytes(data, charset=args.charset,
                              convert=args.convert or default_convert,
                              strip_annotations=args.strip_annotations, html=args.html)
    except RepairError as exc:
        print(f"luanma: {exc}", file=sys.stderr)
        return 2
    if args.json:
        json.dump(result.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.buffer.write(result.text.encode("utf-8"))
        sys.stdout.flush()
    for warning in result.warnings:
        print(f"luanma: warning: {warning}", file=sys.stderr)
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .settings import get_settings

    settings = get_settings()
    uvicorn.run(
        "app.api.main:app",
        host=args.host or settings.host,
        port=args.port or settings.port,
        workers=args.workers or settings.workers,
        log_level=settings.log_level,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and shell completion tools)."""
    parser = argparse.ArgumentParser(prog="luanma", description="Repair garbled Chinese text.")
    parser.add_argument("--version", action="version", version=f"luanma {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    rep = sub.add_parser("repair", help="repair a file (any encoding) and print UTF-8 text")
    rep.add_argument("file", nargs="?", default="-", help="file to read, or - for stdin")
    rep.add_argument("--convert", metavar="CONFIG", help="OpenCC config: t2s, s2t, tw2sp, ...")
    rep.add_argument("--charset", help="the charset the page declares (evidence, not an order)")
    rep.add_argument("--json", action="store_true", help="print the whole result as JSON")
    rep.add_argument("--html", action="store_true",
                     help="the file is an HTML page: repair text nodes and attribute values only")
    rep.add_argument("--no-strip-annotations", dest="strip_annotations", action="store_false",
                     help="keep flattened ruby annotations such as 創(chuàng)")
    rep.set_defaults(func=_repair)

    srv = sub.add_parser("serve", help="run the HTTP service")
    srv.add_argument("--host", help="address to bind (default 127.0.0.1, LUANMA_HOST)")
    srv.add_argument("--port", type=int, help="port (default 8000, LUANMA_PORT)")
    srv.add_argument("--workers", type=int, help="worker processes (default 1, LUANMA_WORKERS)")
    srv.set_defaults(func=_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``luanma`` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
