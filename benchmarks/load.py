"""Load benchmark: luanma next to a thin ftfy app, in the same run, on loopback.

Usage:
    python benchmarks/load.py [--workers N] [--duration S] [--concurrency 16 64]
                              [--sizes 2048 204800] [--patho-bytes N] [--skip-load]

Starts two servers on 127.0.0.1 with the same number of uvicorn workers
(default: LUANMA_WORKERS, else the CPU count, as the README advises):
``luanma serve`` and ``benchmarks/thin_ftfy.py`` (FastAPI returning
``ftfy.fix_text`` of the body). For each body (2 KB and 200 KB of Chinese
passages from ``benchmarks/data/passages.jsonl``, clean, and garbled as
UTF-8 read as GBK, or GBK as Latin-1, by line) and each number of keep-alive connections (16, 64), it
runs wrk (Debian's package ``wrk``; a C load generator, not a Python one, so
that the client is not the bottleneck) for `--duration` seconds
(`--duration-large` for 200 KB) against each app, and prints the requests
completed, requests/s, p50 and p99 latency of those (wrk does not count the
ones still open at the end), non-2xx answers, wrk's timeouts, and the CPU the
generator itself used (its user+system seconds over the
wall-clock seconds: 1.0 is one core). Bodies go as ``text/plain;
charset=utf-8`` with ``Accept: text/plain`` to luanma (the text alone, as the
thin app answers).

Then it times pathological inputs in-process (no deadline) against clean
text of the same size (`--patho-bytes`, default 100 KB): one mojibake
character repeated, deeply nested escapes (HTML entities, backslash-u),
every code point, and clean text without a line break; the ratio is to the
median of three runs of clean text.

Only loopback is used; every run is bounded by `--duration`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(url: str, timeout: float = 120) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} never became ready")


def _start(cmd: list[str], env: dict, ready: str) -> subprocess.Popen:
    proc = subprocess.Popen(cmd, env={**os.environ, **env}, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    _wait_ready(ready)
    return proc


def _stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def _passages() -> list[str]:
    rows = [json.loads(line) for line in (HERE / "data" / "passages.jsonl").open(encoding="utf-8")]
    return [r["text"] for r in rows if r["script"] != "mixed"]


def clean_text(size: int, *, newlines: bool = True) -> str:
    """Chinese passages joined (by newlines, or not) to about `size` UTF-8 bytes."""
    parts, n, passages = [], 0, _passages()
    i = 0
    while n < size:
        p = passages[i % len(passages)]
        parts.append(p)
        n += len(p.encode()) + 1
        i += 1
    text = ("\n" if newlines else "").join(parts)
    return text.encode()[:size].decode("utf-8", "ignore")


def garble(line: str) -> str:
    """A line's UTF-8 bytes read as GB18030 where that reading is whole, else
    its GBK bytes read as Latin-1: mojibake that lost no byte."""
    try:
        return line.encode("utf-8").decode("gb18030")
    except UnicodeDecodeError:
        return line.encode("gb18030").decode("latin-1")


def garbled_text(size: int) -> str:
    """Clean text of about `size` UTF-8 bytes, each line garbled (`garble`)."""
    return "\n".join(garble(line) for line in clean_text(size).split("\n"))


_LUA = """wrk.method = "POST"
wrk.headers["Content-Type"] = "text/plain; charset=utf-8"
wrk.headers["Accept"] = "text/plain"
local f = io.open("{path}", "rb")
wrk.body = f:read("*all")
f:close()
"""


def _ms(value: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s)", value)
    number, unit = float(m.group(1)), m.group(2)
    return number * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(url: str, body_path: Path, connections: int, duration: int, tmp: Path) -> dict:
    """One wrk run; returns requests/s, p50/p99 (ms), non-2xx, generator CPU (cores)."""
    script = tmp / f"post_{body_path.stem}.lua"
    script.write_text(_LUA.format(path=body_path))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency",
                          "--timeout", f"{max(30, 2 * duration)}s", "-s", str(script), url],
                         capture_output=True, text=True, check=True).stdout
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"\n\s+50%\s+(\S+)", out)
    p99 = re.search(r"\n\s+99%\s+(\S+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    done = re.search(r"(\d+) requests in", out)
    timeouts = re.search(r"timeout (\d+)", out)
    return {"rps": rps, "p50": _ms(p50.group(1)) if p50 else float("nan"),
            "p99": _ms(p99.group(1)) if p99 else float("nan"),
            "requests": int(done.group(1)) if done else 0,
            "timeouts": int(timeouts.group(1)) if timeouts else 0,
            "non2xx": int(non2xx.group(1)) if non2xx else 0, "gen_cpu": cpu / wall}


def load(args: argparse.Namespace) -> None:
    if shutil.which("wrk") is None:
        sys.exit("load.py needs wrk: apt-get install wrk")
    from app.settings import get_settings

    settings = get_settings()
    workers = args.workers
    lport, tport = _free_port(), _free_port()
    luanma = _start([sys.executable, "-m", "app.cli", "serve", "--port", str(lport),
                     "--workers", str(workers)], {}, f"http://127.0.0.1:{lport}/readyz")
    thin = _start([sys.executable, "-m", "uvicorn", "benchmarks.thin_ftfy:app", "--port",
                   str(tport), "--workers", str(workers)], {},
                  f"http://127.0.0.1:{tport}/docs")
    apps = {"luanma": f"http://127.0.0.1:{lport}/v1/repair",
            "thin ftfy": f"http://127.0.0.1:{tport}/fix"}
    version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout
    print(f"wrk {version.split()[1]}"
          f", 2 threads; {workers} uvicorn worker(s) each; {args.duration} s per cell; "
          f"{os.cpu_count()} CPUs; load average before: {os.getloadavg()[0]:.2f}")
    print(f"luanma settings: deadline {settings.deadline_seconds} s, "
          f"max in flight {settings.max_in_flight} per worker")
    print(f"\n{'body':<14} {'conns':>5}  {'app':<10} {'secs':>4} {'done':>6} {'req/s':>8} "
          f"{'p50 ms':>8} {'p99 ms':>9} {'non-2xx':>7} {'timeout':>7} {'wrk CPU':>7}")
    try:
        with tempfile.TemporaryDirectory() as tmpdir:
            tmp = Path(tmpdir)
            for size in args.sizes:
                for kind, make in (("clean", clean_text), ("garbled", garbled_text)):
                    path = tmp / f"{kind}_{size}.txt"
                    path.write_bytes(make(size).encode("utf-8"))
                    label = f"{kind} {size // 1024} KB"
                    duration = args.duration if size < 65536 else args.duration_large
                    for conns in args.concurrency:
                        for app, url in apps.items():
                            r = run_wrk(url, path, conns, duration, tmp)
                            if r["requests"]:
                                latency = f"{r['p50']:>8.1f} {r['p99']:>9.1f}"
                            else:
                                latency = f"{'-':>8} {'-':>9}"
                            print(f"{label:<14} {conns:>5}  {app:<10} {duration:>4} "
                                  f"{r['requests']:>6} {r['rps']:>8.1f} {latency} "
                                  f"{r['non2xx']:>7} {r['timeouts']:>7} {r['gen_cpu']:>7.2f}",
                                  flush=True)
    finally:
        _stop(luanma)
        _stop(thin)


def pathological(size: int) -> None:
    from app.engine import repair_text
    from app.model import get_model

    get_model()
    every = "".join(chr(c) for c in range(0x10FFFF + 1) if not 0xD800 <= c <= 0xDFFF)
    inputs = {
        "one mojibake character repeated": "鏁" * (size // 3),
        "nested HTML escapes": ("&amp;" * 20 + "#20013;") * (size // 107),
        "nested backslash-u escapes": ("\\" * 16 + "u4e2d") * (size // 21),
        "every code point": every.encode("utf-8")[:size].decode("utf-8", "ignore"),
        "clean, no line breaks": clean_text(size, newlines=False),
        "garbled (UTF-8 read as GBK)": garbled_text(size),
    }

    def timed(text: str) -> float:
        started = time.perf_counter()
        repair_text(text)
        return time.perf_counter() - started

    clean = clean_text(size)
    base = statistics.median(timed(clean) for _ in range(3))
    print(f"\npathological inputs, {size} bytes as UTF-8, in-process, no deadline")
    print(f"{'input':<34} {'seconds':>8} {'x clean':>8}")
    print(f"{'clean text (median of 3)':<34} {base:>8.2f} {1.0:>8.2f}")
    for name, text in inputs.items():
        t = timed(text)
        print(f"{name:<34} {t:>8.2f} {t / base:>8.2f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int,
                        default=int(os.environ.get("LUANMA_WORKERS", os.cpu_count() or 1)))
    parser.add_argument("--duration", type=int, default=10, help="seconds per cell")
    parser.add_argument("--duration-large", type=int, default=30,
                        help="seconds per cell for bodies of 64 KB and more")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2048, 204800])
    parser.add_argument("--patho-bytes", type=int, default=100_000)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-patho", action="store_true")
    args = parser.parse_args()
    if not args.skip_load:
        load(args)
    if not args.skip_patho:
        pathological(args.patho_bytes)


if __name__ == "__main__":
    main()
