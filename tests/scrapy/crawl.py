"""Run a real Scrapy crawl with luanma's middleware: the test starts this in
a subprocess (a Twisted reactor starts once per process).

    python tests/scrapy/crawl.py OUT.jsonl SETTINGS_JSON URL...

Each response becomes one JSON line in OUT.jsonl: what a spider sees (class, encoding,
title, paragraph text, body) and the luanma_* meta keys; the crawl's luanma/* stats go to
OUT.jsonl.stats.json.
"""

from __future__ import annotations

import json
import sys

import scrapy
from scrapy.crawler import CrawlerProcess


class PagesSpider(scrapy.Spider):
    name = "pages"

    def __init__(self, urls: list[str], **kwargs):
        super().__init__(**kwargs)
        self.urls = urls

    async def start(self):
        for url in self.urls:
            yield scrapy.Request(url, meta={"dont_repair": url.endswith("/dont")},
                                 dont_filter=True)

    def parse(self, response):
        item = {"url": response.url, "class": type(response).__name__,
                "status": response.status}
        if isinstance(response, scrapy.http.TextResponse):
            item.update(encoding=response.encoding, text=response.text,
                        title=response.xpath("//title/text()").get(),
                        paragraph=response.css("p::text").get())
        else:
            item["body_hex"] = response.body.hex()
        for key, value in response.meta.items():
            if key == "luanma_spans":
                item[key] = [[s.kind, s.original, s.repaired] for s in value]
            elif key.startswith("luanma_"):
                item[key] = list(value) if isinstance(value, tuple) else value
        yield item


def main() -> None:
    out, settings, urls = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3:]
    process = CrawlerProcess({
        "DOWNLOADER_MIDDLEWARES": {"app.integrations.scrapy.RepairMiddleware": 540},
        "FEEDS": {out: {"format": "jsonlines", "encoding": "utf-8"}},
        "HTTPERROR_ALLOW_ALL": True,
        "LOG_LEVEL": "WARNING",
        "ROBOTSTXT_OBEY": False,
        "TELNETCONSOLE_ENABLED": False,
        **settings,
    })
    crawler = process.create_crawler(PagesSpider)
    process.crawl(crawler, urls=urls)
    process.start()
    stats = {k: v for k, v in crawler.stats.get_stats().items() if k.startswith("luanma/")}
    with open(out + ".stats.json", "w", encoding="utf-8") as f:
        json.dump(stats, f)


if __name__ == "__main__":
    main()
