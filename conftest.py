"""Collection: the doctests of an integration whose extra is not installed
are left out (`pytest` with only '.[test]' still runs everything else)."""

from importlib.util import find_spec

collect_ignore = [
    path for path, module in (("app/integrations/scrapy.py", "scrapy"),
                              ("app/integrations/spark.py", "pyspark"))
    if find_spec(module) is None
]
