"""Repair a column of a Spark DataFrame on the executors: a pandas UDF
(``pip install 'luanma[spark]'``: pyspark, pandas, pyarrow).

    from app.integrations.spark import repair_column
    fixed = df.withColumn("fixed", repair_column("body", charset="charset"))
    fixed.select("fixed.text", "fixed.confidence", "fixed.changed", "fixed.encoding")

The column may hold strings (repaired as text) or binary (raw bytes,
decoded by luanma's bytes path, with an optional charset column as
evidence). Each row becomes a struct, `RESULT_SCHEMA`:

==========  =======  ======================================================
field       type     meaning
==========  =======  ======================================================
text        string   the repaired text (null when the row is null or failed)
confidence  double   as `RepairResult.confidence`
changed     boolean  as `RepairResult.changed`
encoding    string   codec used for binary input (Python's name), else null
error       string   ``code: message`` when the row could not be repaired
                     (``not_text``, ``unknown_codec``, ...), else null
==========  =======  ======================================================

A row that fails gets its error in its own row; the job goes on. The
language model is built once per Python worker process (module state, kept
while Spark reuses the worker: ``spark.python.worker.reuse``, on by
default), on the first batch the worker repairs: about a second.

The executors need luanma installed (README: "Spark").
"""

from __future__ import annotations

import pandas as pd
from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql.functions import pandas_udf

from ..client import Client, Item, ItemError

# DDL of the struct each row becomes.
RESULT_SCHEMA = "text string, confidence double, changed boolean, encoding string, error string"
_FIELDS = ("text", "confidence", "changed", "encoding", "error")

_client: Client | None = None


def _worker_client() -> Client:
    """This process's in-process client (the model it loads stays with it)."""
    global _client
    if _client is None:
        _client = Client()
    return _client


def repair_series(values: pd.Series, charsets: pd.Series | None = None, *,
                  convert: str | None = None, strip_annotations: bool = True,
                  html: bool = False, min_confidence: float | None = None) -> pd.DataFrame:
    """Repair each value of a pandas Series: the body of the UDF, usable
    without Spark.

    Args:
        values: str (text) or bytes (raw bytes) values; None or NaN for a
            missing row.
        charsets: for bytes, each row's declared charset (or None), aligned
            with `values`.
        convert, strip_annotations, html, min_confidence: as for
            `app.client.Client.repair`.

    Returns:
        A DataFrame with the columns of `RESULT_SCHEMA`, one row per value,
        on `values`' index.

    >>> repair_series(pd.Series(["鏁版嵁", None]))["text"].tolist()
    ['数据', None]
    """
    declared = charsets.tolist() if charsets is not None else [None] * len(values)
    items, where = [], []
    for k, (value, charset) in enumerate(zip(values.tolist(), declared)):
        if value is None or (isinstance(value, float) and value != value):
            continue
        if isinstance(value, (bytearray, memoryview)):
            value = bytes(value)
        charset = charset if isinstance(value, bytes) and isinstance(charset, str) else None
        items.append(Item(value, charset=charset))
        where.append(k)
    rows: list[tuple] = [(None,) * len(_FIELDS)] * len(values)
    outs = _worker_client().repair_batch(items, convert=convert,
                                         strip_annotations=strip_annotations, html=html,
                                         min_confidence=min_confidence)
    for k, out in zip(where, outs):
        if isinstance(out, ItemError):
            rows[k] = (None, None, None, None, f"{out.code}: {out.message}")
        else:
            rows[k] = (out.text, out.confidence, out.changed, out.encoding, None)
    frame = pd.DataFrame(rows, columns=list(_FIELDS), index=values.index)
    return frame.astype({"confidence": "float64", "changed": "boolean"})


def repair_udf(*, with_charset: bool = False, convert: str | None = None,
               strip_annotations: bool = True, html: bool = False,
               min_confidence: float | None = None):
    """A pandas UDF that repairs a string or binary column into a struct
    (`RESULT_SCHEMA`).

    Args:
        with_charset: the UDF takes a second column, each row's declared
            charset (a string column; null for none).
        convert, strip_annotations, html, min_confidence: as for
            `app.client.Client.repair`, for every row (`html`: each row is
            an HTML page; only its text nodes and attribute values change).

    Returns:
        A pandas UDF, for ``df.select(udf("body"))`` or
        ``spark.udf.register("luanma_repair", udf)`` and SQL.

    Raises:
        app.errors.UnknownConversion: `convert` is not an OpenCC config id
            (checked here, on the driver, before any job runs).
    """
    from ..convert import check_config

    check_config(convert)
    options = {"convert": convert, "strip_annotations": strip_annotations, "html": html,
               "min_confidence": min_confidence}
    if with_charset:
        def repair_with_charset(values: pd.Series, charsets: pd.Series) -> pd.DataFrame:
            return repair_series(values, charsets, **options)

        return pandas_udf(repair_with_charset, returnType=RESULT_SCHEMA)

    def repair(values: pd.Series) -> pd.DataFrame:
        return repair_series(values, **options)

    return pandas_udf(repair, returnType=RESULT_SCHEMA)


def repair_column(column: Column | str, charset: Column | str | None = None, *,
                  convert: str | None = None, strip_annotations: bool = True,
                  html: bool = False, min_confidence: float | None = None) -> Column:
    """The column repaired, as a struct column (`RESULT_SCHEMA`).

    Args:
        column: a string or binary column, or its name.
        charset: for a binary column, the declared charset: a column or its
            name (as Spark reads str arguments); ``F.lit("gbk")`` for one
            charset for every row.
        convert, strip_annotations, html, min_confidence: as for
            `repair_udf`.

    Returns:
        A struct column: select ``.text``, ``.confidence``, ``.changed``,
        ``.encoding``, ``.error``.

    Raises:
        app.errors.UnknownConversion: as for `repair_udf`.
    """
    options = {"convert": convert, "strip_annotations": strip_annotations, "html": html,
               "min_confidence": min_confidence}
    if charset is None:
        return repair_udf(**options)(F.col(column) if isinstance(column, str) else column)
    udf = repair_udf(with_charset=True, **options)
    return udf(F.col(column) if isinstance(column, str) else column,
               F.col(charset) if isinstance(charset, str) else charset)
