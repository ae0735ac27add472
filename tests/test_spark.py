"""The Spark pandas UDF on a real local Spark (local[2], the machine's Java 17)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

pd = pytest.importorskip("pandas", reason="needs the spark extra: pip install '.[spark]'")
pyspark = pytest.importorskip("pyspark", reason="needs the spark extra: pip install '.[spark]'")

from pyspark.sql import SparkSession  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402
from pyspark.sql.functions import pandas_udf  # noqa: E402

from app.errors import UnknownConversion  # noqa: E402
from app.integrations.spark import repair_column, repair_udf  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    if "JAVA_HOME" not in os.environ and shutil.which("java"):
        # /usr/bin/java -> /usr/lib/jvm/java-17-openjdk-amd64/bin/java
        os.environ["JAVA_HOME"] = str(Path(shutil.which("java")).resolve().parent.parent)
    # The executors' Python workers: this interpreter, which has luanma installed.
    os.environ["PYSPARK_PYTHON"] = os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (SparkSession.builder.master("local[2]").appName("luanma-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.python.worker.reuse", "true")
               .config("spark.sql.execution.arrow.maxRecordsPerBatch", "4")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def test_string_column(spark):
    rows = [(0, "鏁版嵁鎶撳彇缁撴灉"), (1, "´´½¨¹ú¼Ò"), (2, "干净的中文"), (3, None),
            (4, "創(chuàng)建國家")]
    df = spark.createDataFrame(rows, "id int, s string")
    out = {r.id: r.r for r in df.select("id", repair_column("s").alias("r")).collect()}
    assert out[0].text == "数据抓取结果" and out[0].changed is True
    assert out[0].confidence > 0.9 and out[0].encoding is None and out[0].error is None
    assert out[1].text == "创建国家" and out[1].changed is True
    assert out[2].text == "干净的中文" and out[2].changed is False
    assert out[3].text is None and out[3].confidence is None and out[3].error is None
    assert out[4].text == "創建國家"


def test_binary_column_with_charset_column(spark):
    rows = [
        (0, "数据抓取结果".encode("gbk"), "gbk"),
        (1, "創建國家衛生區".encode("big5"), "big5"),
        (2, "数据抓取结果".encode("gbk"), "big5"),          # a charset that lies
        (3, "数据抓取结果".encode("utf-8"), "gb2312"),      # UTF-8 declared GBK
        (4, "鏁版嵁鎶撳彇缁撴灉".encode("utf-8"), None),     # garbled text, as UTF-8 bytes
        (5, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "utf-8"),
        (6, "数据抓取结果".encode("gbk"), "x-no-such-charset"),
    ]
    df = spark.createDataFrame(rows, "id int, body binary, charset string")
    out = {r.id: r.r for r in df.select("id", repair_column("body", "charset").alias("r")).collect()}
    assert (out[0].text, out[0].encoding, out[0].changed) == ("数据抓取结果", "gb18030", False)
    assert (out[1].text, out[1].encoding) == ("創建國家衛生區", "big5hkscs")
    assert (out[2].text, out[2].encoding) == ("数据抓取结果", "gb18030")
    assert (out[3].text, out[3].encoding) == ("数据抓取结果", "utf-8")
    assert (out[4].text, out[4].encoding, out[4].changed) == ("数据抓取结果", "utf-8", True)
    assert out[5].text is None and out[5].error.startswith("not_text: ")
    assert out[6].text is None and out[6].error.startswith("unknown_codec: ")


def test_options_convert_and_min_confidence(spark):
    df = spark.createDataFrame([("鏁版嵁鎶撳彇缁撴灉",)], "s string")
    [row] = df.select(repair_column("s", convert="s2t").alias("r")).collect()
    assert row.r.text == "數據抓取結果"
    page = spark.createDataFrame(
        [('<p title="鏁版嵁">創(chuàng)建</p><meta charset="gbk">'.encode("gbk"),)], "b binary")
    [row] = page.select(repair_column("b", html=True).alias("r")).collect()
    assert row.r.text == '<p title="数据">創建</p><meta charset="utf-8">'
    assert row.r.encoding == "gb18030"
    # Above any confidence: the repair is not made, the input comes back.
    [row] = df.select(repair_column("s", min_confidence=1.0).alias("r")).collect()
    assert (row.r.text, row.r.changed) == ("鏁版嵁鎶撳彇缁撴灉", False)
    with pytest.raises(UnknownConversion):
        repair_column("s", convert="nope")


def test_sql_registration_and_literal_charset(spark):
    spark.udf.register("luanma_repair", repair_udf())
    df = spark.createDataFrame([("鏁版嵁",)], "s string")
    df.createOrReplaceTempView("pages")
    [row] = spark.sql("SELECT luanma_repair(s).text AS text FROM pages").collect()
    assert row.text == "数据"
    raw = spark.createDataFrame([("数据".encode("gbk"),)], "b binary")
    [row] = raw.select(repair_column("b", F.lit("gbk")).alias("r")).collect()
    assert (row.r.text, row.r.encoding) == ("数据", "gb18030")


def test_model_loaded_once_per_python_worker(spark):
    """8 partitions in batches of 4 rows on 2 cores: the two UDFs of one
    projection run in one Python worker, repair first, so each batch sees the
    model built, in at most 2 reused processes for the 16 batches."""
    def worker(texts: pd.Series) -> pd.Series:
        import os

        from app import model

        return pd.Series([f"{os.getpid()}:{model.model_loaded()}"] * len(texts))

    df = spark.createDataFrame([(f"鏁版嵁{i}",) for i in range(64)], "s string").repartition(8)
    rows = df.select(repair_column("s").alias("r"), pandas_udf(worker, "string")("s").alias("w"))
    seen = [r.w for r in rows.collect()]
    assert len(seen) == 64
    assert all(w.endswith(":True") for w in seen)
    pids = {w.split(":")[0] for w in seen}
    assert 1 <= len(pids) <= 2
