"""Benchmark: revue.crawl.feeds.parse against plain feedparser.parse, in the same run.

    python bench/feeds.py [--feeds 200] [--items 30] [--repeat 3]

Two corpora: the fixture files in tests/crawl/feeds/data (odd encodings, fallbacks,
refusals), and RSS 2.0 feeds generated here (content:encoded, media:content, categories).
Each document is parsed --repeat times by each side, interleaved; its best time counts. The
figures printed are the median per-feed time of each side and their ratio. feedparser runs
with its defaults (HTML sanitizing on), as a caller using it alone would.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import fastfeedparser  # noqa: E402
import feedparser  # noqa: E402

from revue.crawl.feeds import FeedParseError, parse  # noqa: E402

FIXTURES = ROOT / "tests" / "crawl" / "feeds" / "data"
WORDS = (
    "Maroc économie Rabat Casablanca réforme gouvernement élection été marché port "
    "tramway croissance énergie solaire Tanger culture festival médina santé école "
    "université sécurité agriculture pluie barrage tourisme Marrakech Fès football"
).split()


def generated_feeds(count: int, items: int, seed: int = 20220520) -> list[bytes]:
    generator = random.Random(seed)
    return [_generated_feed(generator, number, items) for number in range(count)]


def _generated_feed(generator: random.Random, number: int, items: int) -> bytes:
    site = f"https://outlet-{number}.example.ma"
    entries = "".join(_generated_item(generator, site, index) for index in range(items))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:media="http://search.yahoo.com/mrss/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>Outlet {number} — {_sentence(generator, 3)}</title>
<link>{site}/</link>
<description>{_sentence(generator, 10)}</description>
<language>fr-FR</language>
<ttl>20</ttl>
{entries}</channel>
</rss>
""".encode("utf-8")


def _generated_item(generator: random.Random, site: str, index: int) -> str:
    paragraphs = "".join(f"<p>{_sentence(generator, 40)}</p>\n" for _ in range(6))
    day, hour = 1 + index % 28, index % 24
    return f"""<item>
<title>{_sentence(generator, 9).capitalize()}</title>
<link>{site}/2022/05/{day:02d}/article-{index}</link>
<guid isPermaLink="false">{site}#{index}</guid>
<pubDate>Fri, {day:02d} May 2022 {hour:02d}:15:00 +0100</pubDate>
<dc:creator>{generator.choice(WORDS).capitalize()} {generator.choice(WORDS).capitalize()}</dc:creator>
<category>{generator.choice(WORDS)}</category>
<description><![CDATA[<p>{_sentence(generator, 30)}</p>]]></description>
<content:encoded><![CDATA[{paragraphs}<img src="{site}/img/{index}.jpg" alt="">]]></content:encoded>
<media:content url="{site}/img/{index}-1200.jpg" medium="image" width="1200" height="675"/>
</item>
"""


def _sentence(generator: random.Random, words: int) -> str:
    return " ".join(generator.choice(WORDS) for _ in range(words))


def revue_parse(data: bytes) -> str:
    try:
        return parse(data, "https://feeds.example.net/bench").parser
    except FeedParseError:
        return "refused"


def plain_feedparser(data: bytes) -> str:
    feedparser.parse(io.BytesIO(data))
    return "feedparser"


def plain_fastfeedparser(data: bytes) -> str:
    """For reference: the library alone, without decoding, repair, fallback or mapping."""
    try:
        fastfeedparser.parse(data)
    except Exception:
        return "refused"
    return "fastfeedparser"


def best_time(function: Callable[[bytes], str], data: bytes, repeat: int) -> tuple[float, str]:
    best, outcome = float("inf"), ""
    for _ in range(repeat):
        start = time.perf_counter()
        outcome = function(data)
        best = min(best, time.perf_counter() - start)
    return best, outcome


def measure(name: str, documents: list[bytes], repeat: int) -> None:
    revue_times, feedparser_times, fast_times, outcomes = [], [], [], Counter()
    for data in documents:
        elapsed, outcome = best_time(revue_parse, data, repeat)
        revue_times.append(elapsed)
        outcomes[outcome] += 1
        feedparser_times.append(best_time(plain_feedparser, data, repeat)[0])
        fast_times.append(best_time(plain_fastfeedparser, data, repeat)[0])
    size = statistics.median(len(data) for data in documents) / 1024
    print(f"{name}: {len(documents)} documents, median {size:.1f} KiB")
    report_line("revue.crawl.feeds.parse", revue_times)
    report_line("feedparser.parse", feedparser_times)
    report_line("(fastfeedparser.parse alone)", fast_times)
    median_ratio = statistics.median(feedparser_times) / statistics.median(revue_times)
    total_ratio = sum(feedparser_times) / sum(revue_times)
    print(f"  ratio feedparser / revue      {median_ratio:8.1f}x median   {total_ratio:.1f}x total")
    print(f"  revue outcomes: {dict(sorted(outcomes.items()))}")


def report_line(label: str, times: list[float]) -> None:
    median = statistics.median(times) * 1000
    print(f"  {label:<29} {median:8.3f} ms/feed median   {sum(times):7.3f} s total")


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--feeds", type=int, default=200)
    options.add_argument("--items", type=int, default=30)
    options.add_argument("--repeat", type=int, default=3)
    arguments = options.parse_args()

    fixtures = [path.read_bytes() for path in sorted(FIXTURES.iterdir()) if path.is_file()]
    revue_parse(fixtures[0])  # warm imports (dateparser loads lazily) before timing
    plain_feedparser(fixtures[0])
    measure("fixture files", fixtures, arguments.repeat)
    measure(
        f"generated RSS 2.0 ({arguments.feeds} feeds x {arguments.items} items)",
        generated_feeds(arguments.feeds, arguments.items),
        arguments.repeat,
    )


if __name__ == "__main__":
    main()
