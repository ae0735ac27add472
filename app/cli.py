"""The ``luanma`` command: ``luanma repair`` and ``luanma serve``.

Exit status of ``luanma repair``: 0 done (with ``--check``: no damage
found); 1 only with ``--check``: damage found in some input (the files are
listed on stdout); 2 bad arguments, settings or input (unreadable file, not
text, over the document limit, unknown codec or conversion), reported on
stderr; the other inputs are still done.

``luanma serve`` checks its arguments and settings, and that it can listen
on the host and port, before it loads the model: a port outside 1..65535, a
worker count below 1, an empty value, a host that does not resolve or an
address in use exit 2 with one line on stderr, not a traceback.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import errno
import json
import os
import secrets
import socket
import stat
import sys
from pathlib import Path

from . import __version__
from .errors import InputTooLarge, RepairError

EXIT_OK, EXIT_DAMAGE, EXIT_ERROR = 0, 1, 2
REPAIRED_SUFFIX = ".repaired"


def _reason(exc: OSError) -> str:
    """Why an OS call failed, without errno or file names (``Permission
    denied``: the caller names the user's path, not a temporary file's);
    the message of an OSError of the CLI's own, which has no `strerror`."""
    return exc.strerror or str(exc)


def _say(message: str, bar=None) -> None:
    """A line on stderr that does not break the progress bar."""
    if bar is not None:
        bar.write(message, file=sys.stderr)
    else:
        print(message, file=sys.stderr)


def _progress(**kwargs):
    """A tqdm bar on stderr, shown only when stderr is a terminal."""
    from tqdm import tqdm

    return tqdm(disable=not sys.stderr.isatty(), file=sys.stderr, dynamic_ncols=True, **kwargs)


def _inputs(paths: list[str], output_dir: Path | None
            ) -> tuple[list[tuple[Path, Path]], list[str], list[Path]]:
    """(file, relative name for --output-dir) for every file named or found
    under a named directory (recursively, sorted; hidden files and folders
    and the output folder itself skipped), a message for each named path
    that does not exist and for each file found under a directory that is
    not a regular file (a named pipe or a socket would block the run or
    fail: skipped; the other files are still done), and the files found
    under a directory whose name says they are earlier outputs
    (``NAME.repaired.EXT``), skipped so that a second run does not repair
    its own outputs again; a file named on the command line is always read
    (a pipe too: ``<(command)``)."""
    out_root = output_dir.resolve() if output_dir is not None else None
    found: list[tuple[Path, Path]] = []
    missing: list[str] = []
    skipped: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                root_path = Path(root)
                dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                                 and (root_path / d).resolve() != out_root)
                for f in sorted(files):
                    file = root_path / f
                    if f.startswith("."):
                        continue
                    if Path(f).stem.endswith(REPAIRED_SUFFIX):
                        skipped.append(file)
                        continue
                    if not file.is_file():
                        if file.exists():  # (a dangling symlink is read, and fails, below)
                            missing.append(f"{file}: not a regular file; skipped")
                            continue
                    found.append((file, file.relative_to(path)))
        elif path.exists():
            found.append((path, Path(path.name)))
        else:
            missing.append(f"{name}: no such file or directory")
    return found, missing, skipped


# Most files named one by one in a note on stderr (skipped, written over); the rest counted.
SKIPPED_SHOWN = 5


def _some(paths: list[Path]) -> str:
    """The first `SKIPPED_SHOWN` of `paths` by name, the rest counted
    (``a, b, c, d, e and 2 more``)."""
    shown = ", ".join(str(p) for p in paths[:SKIPPED_SHOWN])
    return shown + (f" and {len(paths) - SKIPPED_SHOWN} more" if len(paths) > SKIPPED_SHOWN
                    else "")


def _skipped_note(skipped: list[Path]) -> str:
    """The stderr line about files skipped as earlier outputs: how many, the
    first `SKIPPED_SHOWN` by name, and how to have one read."""
    files = "file" if len(skipped) == 1 else "files"
    return (f"luanma: skipped {len(skipped)} {files} named *{REPAIRED_SUFFIX}.* (taken for "
            f"earlier outputs; name a file to have it read): {_some(skipped)}")


def _replaced_note(replaced: list[Path]) -> str:
    """The stderr line about outputs written over files that were already
    there (beside the input or under --output-dir): taken for earlier
    outputs, as a second run writes them again, but a file of the user's own
    is not told from one, so they are counted and the first
    `SKIPPED_SHOWN` named."""
    return (f"luanma: wrote over {len(replaced)} existing file(s), taken for earlier outputs: "
            f"{_some(replaced)}")


def _target(src: Path, rel: Path, args: argparse.Namespace) -> Path:
    """Where the repair of `src` goes: itself with --in-place, the same
    relative name under --output-dir, else ``name.repaired.ext`` beside it."""
    if args.in_place:
        return src
    if args.output_dir is not None:
        return Path(args.output_dir) / rel
    return src.with_name(src.stem + REPAIRED_SUFFIX + src.suffix)


def _claim(target: Path, src: Path, sources: set[Path], written: dict[Path, Path]) -> None:
    """Take `target` as `src`'s output, or refuse: an output never writes
    over its own input (that takes --in-place), over another input of the
    run (`sources`, resolved paths), nor over another input's output
    (`written`: resolved output -> resolved input, updated here).

    Raises:
        OSError: the clash, named.
    """
    where, own = target.resolve(), src.resolve()
    if where == own:
        raise OSError(f"the output {target} is the input; use --in-place to write over it")
    if where in sources:
        raise OSError(f"the output {target} is another input of this run; not written "
                      "(use --output-dir)")
    if written.setdefault(where, own) != own:
        raise OSError(f"the output {target} is also {written[where]}'s; not written")


def _write_atomic(path: Path, data: bytes, source: Path, *, in_place: bool) -> Path:
    """Write `data` to `path` through a temporary file in the same folder,
    renamed over `path` once whole, so that an interrupted run never leaves a
    half-written file (or input).

    Permission bits come from `source` (read through a symlink): with
    `in_place`, the file keeps its own mode (special bits too) and, where
    the user may (root, or a group the user is in), its owner and group; a
    new output (beside the input, or under --output-dir) is created with the
    input's ``rwx`` bits less the umask, as ``cp`` without ``-p`` creates a
    copy (the kernel applies the umask, and a folder's default ACL, at
    ``open``). With `in_place` a symlink is followed: its target is written
    and the link stays a link.

    Returns:
        The path written (the symlink's target with `in_place`).

    Raises:
        OSError: `source` cannot be read by ``stat``, or the folder cannot
            be made (a file where one of its folders goes:
            `NotADirectoryError`) or written, or `path` is a directory; the
            temporary file is removed and `path` untouched. The message may
            name the temporary file: the caller names `path` instead.
    """
    info = os.stat(source)
    if in_place:
        path = Path(os.path.realpath(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # (a file where the folder goes; "File exists" would puzzle)
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR),
                                 str(path.parent)) from None
    mode = stat.S_IMODE(info.st_mode) if in_place else info.st_mode & 0o777
    fd, tmp = _create_temporary(path, 0o600 if in_place else mode)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            if in_place:
                written = os.fstat(f.fileno())
                if (written.st_uid, written.st_gid) != (info.st_uid, info.st_gid):
                    try:  # another user's file: only root may give it back
                        os.fchown(f.fileno(), info.st_uid, info.st_gid)
                    except OSError:  # its group, if the user is in it
                        with contextlib.suppress(OSError):
                            os.fchown(f.fileno(), -1, info.st_gid)
                os.fchmod(f.fileno(), mode)  # after chown, which clears set-id bits
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def _file_in_the_way(folder: Path) -> Path | None:
    """The first of `folder` and its parents that exists, if it is not a
    directory (a file: `folder` cannot be made), else None."""
    for path in (folder, *folder.parents):
        if path.exists():
            return None if path.is_dir() else path
    return None


def _create_temporary(path: Path, mode: int) -> tuple[int, str]:
    """A new file beside `path` (``.NAME.XXXXXXXX.tmp``), opened for writing
    with ``O_EXCL`` and created with `mode` (less the umask), as
    `tempfile.mkstemp` would but for its fixed 0600; (descriptor, path)."""
    for _ in range(100):
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0),
                           mode), str(tmp)
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path}")


def _read_limited(f, limit: int) -> bytes:
    """All of the open binary file `f` if it holds at most `limit` bytes
    (the service's per-document limit, ``LUANMA_MAX_DOCUMENT_BYTES``). At
    most ``limit + 1`` bytes are read, so that an input with no end (stdin,
    a named pipe, ``<(command)``, ``/dev/zero``) is not read into memory
    without end.

    Raises:
        InputTooLarge: `f` holds more than `limit` bytes (the rest is not read).
    """
    data = f.read(limit + 1)
    if len(data) > limit:
        raise InputTooLarge(f"over the {limit}-byte document limit "
                            "(LUANMA_MAX_DOCUMENT_BYTES); skipped")
    return data


def _other_declaration(data: bytes) -> str | None:
    """The first charset label a page's ``<meta>`` or XML declaration names
    (`markup.declared_charsets`) that is not UTF-8, or None: written as
    UTF-8 outside HTML mode, the page would then contradict itself."""
    from .decode import canonical_codec
    from .markup import declared_charsets

    for label, _ in declared_charsets(data):
        try:
            if canonical_codec(label) != "utf-8":
                return label
        except RepairError:
            continue
    return None


def _options(args: argparse.Namespace, settings) -> dict:
    return {"charset": args.charset, "convert": args.convert or settings.default_convert,
            "strip_annotations": args.strip_annotations, "min_confidence": args.min_confidence,
            "detect_only": args.detect_only or args.check, "html": args.html}


def _damage(result) -> str:
    kinds: dict[str, int] = {}
    for span in result.spans:
        kinds[span.kind] = kinds.get(span.kind, 0) + 1
    return ", ".join(f"{k} x{n}" if n > 1 else k for k, n in sorted(kinds.items()))


def _repair(args: argparse.Namespace) -> int:
    from .chardata import EXPLAINED_CONFIDENCE
    from .engine import repair_bytes
    from .settings import SettingsError, get_settings

    try:
        settings = get_settings()
    except SettingsError as exc:  # a bad LUANMA_* variable
        print(f"luanma: bad setting: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if args.min_confidence is not None and not 0 <= args.min_confidence <= 1:
        print("luanma: --min-confidence must be in [0, 1]", file=sys.stderr)
        return EXIT_ERROR
    if args.ndjson:
        if args.files not in ([], ["-"]) or args.check or args.in_place or args.output_dir:
            print("luanma: --ndjson reads stdin and writes stdout; it takes no files, --check, "
                  "--in-place or --output-dir", file=sys.stderr)
            return EXIT_ERROR
        return _repair_ndjson(args, settings)
    options = _options(args, settings)
    files = args.files or ["-"]
    to_stdout = (files == ["-"] or (len(files) == 1 and not Path(files[0]).is_dir()
                                    and not args.in_place and args.output_dir is None))
    if args.json and not to_stdout:
        print("luanma: --json prints one result: give one file (or stdin)", file=sys.stderr)
        return EXIT_ERROR
    if "-" in files and len(files) > 1:
        print("luanma: '-' (stdin) cannot be mixed with files", file=sys.stderr)
        return EXIT_ERROR
    if args.in_place and args.output_dir is not None:
        print("luanma: --in-place and --output-dir exclude each other", file=sys.stderr)
        return EXIT_ERROR
    if args.output_dir is not None and (in_the_way := _file_in_the_way(Path(args.output_dir))):
        # one error before any input is read, not one per input
        problem = (f"{in_the_way} is not a directory" if in_the_way != Path(args.output_dir)
                   else "not a directory")
        print(f"luanma: --output-dir {args.output_dir}: {problem}", file=sys.stderr)
        return EXIT_ERROR

    if to_stdout:
        label = "stdin" if files == ["-"] else files[0]
        try:
            if files == ["-"]:
                data = _read_limited(sys.stdin.buffer, settings.max_document_bytes)
            else:
                with open(files[0], "rb") as f:
                    data = _read_limited(f, settings.max_document_bytes)
            result = repair_bytes(data, **options)
        except OSError as exc:
            print(f"luanma: {label}: {_reason(exc)}", file=sys.stderr)
            return EXIT_ERROR
        except RepairError as exc:  # named as in a run over many files
            print(f"luanma: {label}: {exc}", file=sys.stderr)
            return EXIT_ERROR
        if args.check:
            if result.spans:
                print(f"{label}: {_damage(result)}")
                return EXIT_DAMAGE
            return EXIT_OK
        if args.json:
            json.dump(result.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
            sys.stdout.write("\n")
        else:
            sys.stdout.buffer.write(result.text.encode("utf-8"))
            sys.stdout.flush()
            if args.detect_only:
                # what was found, as --check says it (the text is as it came)
                print(f"luanma: {label}: {_damage(result) if result.spans else 'no damage found'}"
                      f" (confidence {result.confidence:.4f}; --json for the spans)",
                      file=sys.stderr)
        for warning in result.warnings:
            print(f"luanma: warning: {warning}", file=sys.stderr)
        return EXIT_OK

    output_dir = Path(args.output_dir) if args.output_dir is not None else None
    inputs, missing, skipped = _inputs(files, output_dir)
    for message in missing:
        print(f"luanma: {message}", file=sys.stderr)
    if skipped:
        print(_skipped_note(skipped), file=sys.stderr)
    status = EXIT_ERROR if missing else EXIT_OK
    # --check, and --detect-only with several inputs (or --output-dir or
    # --in-place): write nothing, list each damaged input on stdout; only
    # --check's exit status says whether there was damage.
    report_only = args.check or args.detect_only
    damaged = 0
    # Every input of the run, and every output written so far (by whose
    # input): no output may write over an input, its own or another's
    # (luanma repair a.txt a.repaired.txt), nor over another input's output.
    sources = {src.resolve() for src, _ in inputs}
    written: dict[Path, Path] = {}
    replaced: list[Path] = []  # files that were there before and were written over
    with _progress(total=len(inputs), unit="file", desc="luanma") as bar:
        for src, rel in inputs:
            try:
                target = _target(src, rel, args)
                if not report_only and not args.in_place:
                    _claim(target, src, sources, written)
                with open(src, "rb") as f:
                    data = _read_limited(f, settings.max_document_bytes)
                result = repair_bytes(data, **options)
                if report_only:
                    if result.spans:
                        damaged += 1
                        bar.write(f"{src}: {_damage(result)}", file=sys.stdout)
                else:
                    out = result.text.encode("utf-8")
                    stale = None if args.html or out == data else _other_declaration(data)
                    keep = None  # why --in-place leaves an unrepaired file in its encoding
                    if not result.changed and "\ufffd" in result.text:
                        keep = "some of its bytes decode to U+FFFD (rewriting would lose them)"
                    elif not result.changed and stale:
                        keep = f"it declares charset {stale} (--html rewrites the declaration)"
                    elif result.confidence < EXPLAINED_CONFIDENCE and out != data:
                        # (the only copy: a reading luanma is not sure of is
                        # not written over it; GBK with a byte it could not
                        # place was once rewritten as cp1251, fresh-eyes
                        # report fe12 S1-2)
                        keep = (f"luanma is not sure of its reading (confidence "
                                f"{result.confidence:.2f}, read as {result.encoding}); "
                                "--output-dir writes it beside")
                    if args.in_place and (out == data or data == codecs.BOM_UTF8 + out):
                        pass  # already this UTF-8 text (a BOM kept)
                    elif args.in_place and keep:
                        _say(f"luanma: {src}: left in its own encoding: {keep}", bar)
                    else:
                        existed = not args.in_place and target.exists()
                        try:
                            _write_atomic(target, out, src, in_place=args.in_place)
                        except OSError as exc:  # (it may name the temporary file)
                            raise OSError(f"cannot write "
                                          f"{'over it' if args.in_place else target}: "
                                          f"{_reason(exc)}") from None
                        if existed:
                            replaced.append(target)
                        if stale:
                            _say(f"luanma: {src}: warning: written as UTF-8 but declares "
                                 f"charset {stale}; --html rewrites the declaration", bar)
                    for warning in result.warnings:
                        _say(f"luanma: {src}: warning: {warning}", bar)
            except (OSError, RepairError) as exc:
                _say(f"luanma: {src}: {_reason(exc) if isinstance(exc, OSError) else exc}", bar)
                status = EXIT_ERROR
            bar.update(1)
    if replaced:
        print(_replaced_note(replaced), file=sys.stderr)
    if args.check and damaged:
        return status or EXIT_DAMAGE
    return status


def _repair_ndjson(args: argparse.Namespace, settings) -> int:
    """NDJSON items on stdin (the items of ``POST /v1/repair/batch``), one
    result or error slot per line on stdout, in order; a line longer than 4
    times the document limit is skipped as it is read and answered
    ``input_too_large``. A bad --convert or --charset exits 2 before any
    line is read; a bad option in an item is that item's error slot."""
    from .api.items import Defaults, check_defaults, ndjson_slot

    options = _options(args, settings)
    defaults = Defaults(**options)
    try:
        check_defaults(defaults)  # a bad flag stops the run, as a bad query option is a 422
    except RepairError as exc:
        print(f"luanma: {exc}", file=sys.stderr)
        return EXIT_ERROR
    max_bytes = settings.max_document_bytes
    limit = settings.max_item_json_bytes
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    number = 0
    with _progress(unit="line", desc="luanma") as bar:
        while True:
            raw = stdin.readline(limit + 1)
            if not raw:
                break
            number += 1
            if len(raw) > limit and not raw.endswith(b"\n"):
                while (rest := stdin.readline(limit + 1)) and not rest.endswith(b"\n"):
                    pass  # skip the rest of an over-long line
                raw = None
            out = ndjson_slot(raw, number, defaults, max_bytes=max_bytes)
            if out:
                stdout.write(out)
                stdout.flush()
            bar.update(1)
    return EXIT_OK


def _listen_problem(host: str, port: int) -> str | None:
    """Why the service could not listen on `host`:`port` (a host that does
    not resolve, an address in use or not on this machine, a port that needs
    privileges), or None when a socket binds there now. Checked before the
    model loads, as uvicorn binds only after (one worker) and would then die
    with a traceback; the socket is closed again at once, set like
    uvicorn's (``SO_REUSEADDR``), so uvicorn's own bind follows it."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except (socket.gaierror, UnicodeError) as exc:
        return f"cannot resolve host {host!r}: {exc}"
    try:
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
    except OSError as exc:
        return f"cannot listen on {host}:{port}: {exc.strerror or exc}"
    return None


def _serve(args: argparse.Namespace) -> int:
    from .settings import SettingsError, get_settings

    try:
        settings = get_settings()
    except SettingsError as exc:  # a bad LUANMA_* variable
        print(f"luanma: bad setting: {exc}", file=sys.stderr)
        return EXIT_ERROR
    host = args.host if args.host is not None else settings.host
    port = args.port if args.port is not None else settings.port
    problem = _listen_problem(host, port)
    if problem is not None:
        print(f"luanma: {problem}", file=sys.stderr)
        return EXIT_ERROR

    import uvicorn

    from .api.ops import logging_config

    uvicorn.run(
        "app.api.main:app",
        host=host,
        port=port,
        workers=args.workers if args.workers is not None else settings.workers,
        log_level=settings.log_level,
        log_config=logging_config(settings.log_level),
        access_log=False,
    )
    return 0


def _text(value: str) -> str:
    """An argparse type: a value that is not empty (``--charset ''`` is no
    charset, as ``?charset=`` is a 422)."""
    if not value.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return value


def _whole_number(low: int, high: int | None, what: str):
    """An argparse type: an integer from `low` to `high` (None: no upper
    bound), named `what` in its message (``99999 is not a port number
    (1-65535)``)."""
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not {what}") from None
        if number < low or high is not None and number > high:
            bounds = f"{low}-{high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"{number} is not {what} ({bounds})")
        return number
    return parse


_port = _whole_number(1, 65535, "a port number")
_count = _whole_number(1, None, "a whole number")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and shell completion tools)."""
    parser = argparse.ArgumentParser(prog="luanma", description="Repair garbled Chinese text.")
    parser.add_argument("--version", action="version", version=f"luanma {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    rep = sub.add_parser(
        "repair", help="repair files (any encoding) into UTF-8 text",
        description="One file (or - for stdin): print it repaired. Several files or a "
                    "directory (recursive): write NAME.repaired.EXT beside each, or into "
                    "--output-dir, or over each with --in-place. Output is always UTF-8 "
                    "text, whatever the input's encoding (which may not be able to hold "
                    "the repair; an HTML page's charset declaration is made to say utf-8). "
                    "Exit status: 0 done, 1 --check found damage, 2 errors.")
    rep.add_argument("files", nargs="*", metavar="PATH",
                     help="files or directories; none or - for stdin")
    rep.add_argument("--convert", metavar="CONFIG", type=_text,
                     help="OpenCC config: t2s, s2t, tw2sp, ...")
    rep.add_argument("--charset", type=_text,
                     help="the charset the page declares (evidence, not an order)")
    rep.add_argument("--json", action="store_true", help="print the whole result as JSON")
    rep.add_argument("--html", action="store_true",
                     help="the file is an HTML page: repair text nodes and attribute values only")
    rep.add_argument("--no-strip-annotations", dest="strip_annotations", action="store_false",
                     help="keep flattened ruby annotations such as 創(chuàng)")
    rep.add_argument("--min-confidence", type=float, metavar="P",
                     help="leave a document unchanged when the repair's confidence is below P")
    rep.add_argument("--detect-only", action="store_true",
                     help="change nothing: print the text as it came and, on stderr, the "
                          "kinds of damage found (--json: the spans); with several files, "
                          "list the damaged ones as --check does, but exit 0")
    rep.add_argument("--output-dir", metavar="DIR",
                     help="write repaired files here (same relative names) instead of beside "
                          "them; every output is UTF-8")
    rep.add_argument("--in-place", action="store_true",
                     help="write each file over its input as UTF-8 (a clean GBK or Big5 file "
                          "too: the same bytes --output-dir writes); files already so are "
                          "not touched")
    rep.add_argument("--check", action="store_true",
                     help="change nothing; list damaged inputs and exit 1 if there are any")
    rep.add_argument("--ndjson", action="store_true",
                     help="read NDJSON items on stdin (as POST /v1/repair/batch), write "
                          "NDJSON results on stdout")
    rep.set_defaults(func=_repair)

    srv = sub.add_parser(
        "serve", help="run the HTTP service",
        description="Run the HTTP service. Bad arguments or settings, or an address it cannot "
                    "listen on, exit 2 before the model loads.")
    srv.add_argument("--host", type=_text,
                     help="address to bind (default 127.0.0.1, LUANMA_HOST)")
    srv.add_argument("--port", type=_port, help="port, 1-65535 (default 8000, LUANMA_PORT)")
    srv.add_argument("--workers", type=_count,
                     help="worker processes, at least 1 (default 1, LUANMA_WORKERS)")
    srv.set_defaults(func=_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``luanma`` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:
        # The reader went away (luanma repair ... | head): not an error of
        # ours. Point stdout at devnull so that Python's exit flush is quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
