"""Rows per second: the Spark pandas UDF in local mode against a plain
Python loop over the same rows.

Usage:
    pip install '.[spark]'
    python benchmarks/spark.py [--rows 4000] [--master 'local[2]'] [--partitions 4]

Rows: the generated evaluation cases (`benchmarks/generate.py` over
`benchmarks/data/passages.jsonl`: clean passages, and each kind of damage,
whole and in single clauses), repeated to `--rows`. Printed:

- ``python loop``: ``app.repair`` on each row in this process, the model
  already built (one core);
- ``spark, first job``: ``repair_column`` over a DataFrame of the rows,
  collected, including starting the Python workers and building the model
  in each;
- ``spark, warm``: the same job again, on the reused workers.

Each line also gives the CPU seconds it used (the loop: this process; Spark:
the JVM and its Python workers, read from /proc, so Linux only): on a
machine shared with other work, wall-clock rows/s say how much of the
machine the job got, CPU seconds per row what the work costs.

The machine's other load counts in every line (the load average is printed
before and after): the loop takes one core, Spark's workers as many as the
master gives them, and on a busy machine they share what is free.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.generate import generate, load_passages  # noqa: E402


def rows(n: int) -> list[str]:
    """`n` inputs from the generated cases, in a fixed order."""
    cases = generate(load_passages(HERE / "data" / "passages.jsonl"), seed=0)
    texts = [c["original"] for c in cases]
    return [texts[i % len(texts)] for i in range(n)]


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by process `pid` and its
    descendants, with their reaped children (Linux /proc, proc(5))."""
    ticks = os.sysconf("SC_CLK_TCK")
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            # after the name: state ppid ... utime(14) stime(15) cutime(16) cstime(17)
            stats[int(entry)] = (int(fields[1]), sum(int(x) for x in fields[11:15]))
    tree, grew = {pid}, True
    while grew:
        new = {p for p, (ppid, _) in stats.items() if ppid in tree} - tree
        tree |= new
        grew = bool(new)
    return sum(stats[p][1] for p in tree if p in stats) / ticks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--partitions", type=int, default=4)
    args = parser.parse_args(argv)

    if "JAVA_HOME" not in os.environ and shutil.which("java"):
        os.environ["JAVA_HOME"] = str(Path(shutil.which("java")).resolve().parent.parent)
    os.environ["PYSPARK_PYTHON"] = os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable

    from pyspark.sql import SparkSession

    from app import repair
    from app.integrations.spark import repair_column
    from app.model import get_model

    data = rows(args.rows)
    chars = sum(len(t) for t in data)
    print(f"{len(data)} rows, {chars} characters ({chars / len(data):.0f} a row on average); "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")

    get_model()
    start, cpu = time.perf_counter(), time.process_time()
    loop_texts = [repair(t).text for t in data]
    loop, loop_cpu = time.perf_counter() - start, time.process_time() - cpu

    spark = (SparkSession.builder.master(args.master).appName("luanma-bench")
             .config("spark.ui.enabled", "false")
             .config("spark.python.worker.reuse", "true").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    df = spark.createDataFrame([(t,) for t in data], "s string").repartition(args.partitions)
    df = df.cache()
    df.count()
    jvm = spark.sparkContext._gateway.proc.pid
    timings = []
    for _ in range(2):
        start, cpu = time.perf_counter(), tree_cpu(jvm)
        out = df.select("s", repair_column("s").alias("r")).select("s", "r.text").collect()
        timings.append((time.perf_counter() - start, tree_cpu(jvm) - cpu))
    spark.stop()

    expected = dict(zip(data, loop_texts))
    mismatches = sum(1 for r in out if expected[r.s] != r.text)
    print(f"spark {args.master}, {args.partitions} partitions; "
          f"{mismatches} rows differ from the loop; load average {os.getloadavg()[0]:.1f}\n")
    print(f"{'method':<20}{'seconds':>9}{'rows/s':>9}{'CPU s':>9}{'CPU ms/row':>12}")
    for name, (seconds, cpu) in (("python loop", (loop, loop_cpu)),
                                 ("spark, first job", timings[0]), ("spark, warm", timings[1])):
        print(f"{name:<20}{seconds:>9.2f}{len(data) / seconds:>9.1f}{cpu:>9.2f}"
              f"{1000 * cpu / len(data):>12.2f}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
