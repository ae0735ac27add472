"""luanma inside other frameworks, each behind its own extra:

- `app.integrations.scrapy`: a downloader middleware (``luanma[scrapy]``);
- `app.integrations.spark`: a pandas UDF for DataFrames (``luanma[spark]``).

Neither module is imported by ``import app``: the core install stays as small
as it was.
"""
