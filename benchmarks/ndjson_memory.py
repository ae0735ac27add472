"""Memory of an NDJSON batch stream: a 100 MB stream through ``luanma serve``.

Usage:
    python benchmarks/ndjson_memory.py [--megabytes 100] [--half-duplex]

Starts ``luanma serve`` (one worker) on a loopback port, then sends an
NDJSON stream of `--megabytes` MB (chunked, generated as it is sent, never
held whole) to ``POST /v1/repair/batch`` while reading the answer on the same
connection (``--half-duplex``: send everything first, then read, as
http.client and httpx do; the server then spools what it read ahead to a
temporary file). It checks that every line comes back once, in order, and
samples the server's resident memory (VmRSS in /proc, every 0.1 s), printing
the resident memory before the stream, its peak during it, and the kernel's
high-water mark (VmHWM, which includes start-up).

The stream (deterministic) cycles through items: 2 KB English text (most of
the bytes; luanma's ASCII fast path), 2 KB of clean Chinese passages, short
garbled titles (UTF-8 read as GBK), and every 20 MB one 1 MB English item
and one 4 MB line of Chinese text (the longest lines, which bound a
stream's memory).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from load import _free_port, _wait_ready, clean_text

ENGLISH = ("The quick brown fox jumps over the lazy dog while the scraper fetches another "
           "page of product listings, prices and reviews. ") * 16
TITLES = ["鏁版嵁鎶撳彇缁撴灉", "棣栭〉", "鏈懆澶╂皵棰勬姤", "´´½¨¹ú¼Ò", "ÐÂÓÃ»§×¢²á"]


def items(total: int):
    """(id, line bytes) until about `total` bytes."""
    chinese = clean_text(2048)
    big_english = ENGLISH * (1_000_000 // len(ENGLISH))
    big_chinese = clean_text(4_000_000)
    sent, n = 0, 0
    next_big = 20_000_000
    while sent < total:
        if sent >= next_big:
            obj = {"id": n, "text": big_english if (next_big // 20_000_000) % 2 else big_chinese,
                   "detect_only": True}
            next_big += 20_000_000
        elif n % 20 == 1:
            obj = {"id": n, "text": chinese}
        elif n % 20 == 2:
            obj = {"id": n, "text": TITLES[n % len(TITLES)]}
        else:
            obj = {"id": n, "text": ENGLISH[: 2048 - (n % 7)]}
        line = json.dumps(obj, ensure_ascii=False).encode("utf-8") + b"\n"
        sent += len(line)
        n += 1
        yield n - 1, line


def rss_kb(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megabytes", type=float, default=100)
    parser.add_argument("--half-duplex", action="store_true")
    args = parser.parse_args()
    total = int(args.megabytes * 1_000_000)

    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(port),
                             "--workers", "1"], cwd=ROOT, env={**os.environ,
                                                               "LUANMA_LOG_LEVEL": "warning"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        _wait_ready(f"http://127.0.0.1:{port}/readyz")
        pid = proc.pid  # with one worker, uvicorn serves in this process
        # one small batch first, so that the baseline includes a warm engine
        req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/repair/batch",
                                     data=json.dumps([{"text": TITLES[0]}]).encode(),
                                     headers={"content-type": "application/json"})
        urllib.request.urlopen(req).read()
        baseline = rss_kb(pid)
        peak = [baseline]
        done = threading.Event()

        def sample():
            while not done.wait(0.1):
                peak[0] = max(peak[0], rss_kb(pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()

        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(b"POST /v1/repair/batch HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n")
        expected: list[int] = []
        sent_bytes = [0]

        def send():
            buf = bytearray()
            for ident, line in items(total):
                expected.append(ident)
                buf += line
                sent_bytes[0] += len(line)
                if len(buf) >= 65536:
                    sock.sendall(b"%x\r\n%s\r\n" % (len(buf), bytes(buf)))
                    buf.clear()
            if buf:
                sock.sendall(b"%x\r\n%s\r\n" % (len(buf), bytes(buf)))
            sock.sendall(b"0\r\n\r\n")

        started = time.monotonic()
        sender = threading.Thread(target=send)
        sender.start()
        if args.half_duplex:
            sender.join()
        response = http.client.HTTPResponse(sock)
        response.begin()
        assert response.status == 200, response.status
        got, errors, received = 0, 0, 0
        while line := response.readline():
            received += len(line)
            slot = json.loads(line)
            assert slot["id"] == expected[got], (slot["id"], expected[got])
            if "error" in slot:
                errors += 1
            got += 1
        sender.join()
        elapsed = time.monotonic() - started
        done.set()
        sampler.join()
        hwm = rss_kb(pid, "VmHWM")
        assert got == len(expected), (got, len(expected))
        print(f"{sent_bytes[0] / 1e6:.1f} MB in {len(expected)} lines "
              f"({'half' if args.half_duplex else 'full'} duplex): {got} answers "
              f"({received / 1e6:.1f} MB, {errors} errors) in {elapsed:.1f} s, "
              f"{sent_bytes[0] / 1e6 / elapsed:.2f} MB/s")
        print(f"server resident memory: {baseline / 1024:.1f} MiB before the stream, "
              f"peak {peak[0] / 1024:.1f} MiB during it (+{(peak[0] - baseline) / 1024:.1f} MiB); "
              f"VmHWM {hwm / 1024:.1f} MiB")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)


if __name__ == "__main__":
    main()
