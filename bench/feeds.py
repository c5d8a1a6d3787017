"""Benchmark: revue.crawl.feeds.parse against plain feedparser.parse, in the same run.

    python bench/feeds.py [--repeat 2] [--feeds 200] [--items 30] [--real-only]

First the real corpus (``../shared/dev-data/feeds``, read through ``bench/devdata.py``): real feeds
collected by feed readers' test suites. For each half of the stable split (``tune``, the half
judgement calls were made on, and ``held-out``) and overall it prints the entries each side
finds, the complete entries (a title, an http(s) link and a date), the files where Revue finds
fewer of either than feedparser, and the MB/s of both sides with their ratio. Each document is
parsed --repeat times by each side, one after the other, and each side's best time counts, so
the two are measured interleaved on the same machine state.

Then the regression sets: the fixture files in tests/crawl/feeds/data (odd encodings,
fallbacks, refusals) and RSS 2.0 feeds generated here (content:encoded, media:content,
categories), as median per-feed times. feedparser runs with its defaults (HTML sanitizing on),
as a caller using it alone would.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urljoin

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import fastfeedparser  # noqa: E402
import feedparser  # noqa: E402

import devdata  # noqa: E402
from revue.crawl.feeds import FeedParseError, parse  # noqa: E402

FIXTURES = ROOT / "tests" / "crawl" / "feeds" / "data"
WORDS = (
    "Maroc économie Rabat Casablanca réforme gouvernement élection été marché port "
    "tramway croissance énergie solaire Tanger culture festival médina santé école "
    "université sécurité agriculture pluie barrage tourisme Marrakech Fès football"
).split()


# --------------------------------------------------------------------------- the real corpus

FEED_URL = "https://feeds.example.net/bench"


@dataclass
class Tally:
    """What each side found and how long it took, over a set of files."""

    files: int = 0
    size: int = 0
    revue_entries: int = 0
    revue_complete: int = 0
    feedparser_entries: int = 0
    feedparser_complete: int = 0
    revue_seconds: float = 0.0
    feedparser_seconds: float = 0.0
    fast_seconds: float = 0.0
    refused: list[str] = field(default_factory=list)
    short: list[str] = field(default_factory=list)


def is_complete(title: Any, link: Any, date: Any) -> bool:
    """A title, an http(s) link (made absolute against the feed's URL) and a date."""
    if not (isinstance(title, str) and title.strip() and isinstance(link, str) and link.strip() and date):
        return False
    try:
        return urljoin(FEED_URL, link.strip()).startswith(("http://", "https://"))
    except ValueError:
        return False


def revue_counts(data: bytes) -> tuple[int, int, str]:
    """(entries, complete entries, refusal message or "")."""
    try:
        entries = parse(data, FEED_URL).entries
    except FeedParseError as error:
        return 0, 0, str(error)
    return len(entries), sum(is_complete(e.title, e.link, e.published_at) for e in entries), ""


def feedparser_counts(data: bytes) -> tuple[int, int]:
    entries = feedparser.parse(io.BytesIO(data)).entries
    complete = sum(
        is_complete(e.get("title"), e.get("link"), e.get("published_parsed") or e.get("updated_parsed"))
        for e in entries
    )
    return len(entries), complete


def interleaved(data: bytes, repeat: int) -> tuple[float, float, float]:
    """Best seconds of revue, feedparser and fastfeedparser alone, run turn by turn."""
    best = [float("inf")] * 3
    for _ in range(repeat):
        for side, function in enumerate((revue_parse, plain_feedparser, plain_fastfeedparser)):
            start = time.perf_counter()
            function(data)
            best[side] = min(best[side], time.perf_counter() - start)
    return best[0], best[1], best[2]


def measure_real(repeat: int) -> bool:
    """Print the real corpus's figures; False when the corpus is absent."""
    absent = devdata.missing("feeds")
    if absent:
        print(f"real feeds: skipped, {absent}")
        return False
    files = sorted(path for path in devdata.path("feeds").iterdir() if path.is_file())
    halves = {half: Tally() for half in devdata.HALVES}
    for path in files:
        data = path.read_bytes()
        tally = halves[devdata.half(path.name)]
        revue_entries, revue_complete, refusal = revue_counts(data)
        fp_entries, fp_complete = feedparser_counts(data)
        revue_time, fp_time, fast_time = interleaved(data, repeat)
        tally.files += 1
        tally.size += len(data)
        tally.revue_entries += revue_entries
        tally.revue_complete += revue_complete
        tally.feedparser_entries += fp_entries
        tally.feedparser_complete += fp_complete
        tally.revue_seconds += revue_time
        tally.feedparser_seconds += fp_time
        tally.fast_seconds += fast_time
        if refusal:
            tally.refused.append(f"{path.name}: {refusal}")
        if revue_entries < fp_entries or revue_complete < fp_complete:
            tally.short.append(
                f"{path.name}: entries {revue_entries} vs {fp_entries}, complete {revue_complete} vs {fp_complete}"
            )
    overall = Tally()
    for tally in halves.values():
        for name, value in vars(tally).items():
            setattr(overall, name, getattr(overall, name) + value)
    print(f"real feeds ({devdata.path('feeds')}), best of {repeat}, interleaved")
    print(f"  {'':<10} {'files':>5} {'MB':>6}  {'entries revue/fp':>17}  {'complete revue/fp':>18}"
          f"  {'MB/s revue':>10} {'MB/s fp':>8} {'ratio':>7}  {'(MB/s ffp alone)':>16}")
    for name, tally in [*halves.items(), ("overall", overall)]:
        report_real_line(name, tally)
    for name, tally in halves.items():
        for line in tally.short:
            print(f"  short of feedparser [{name}] {line}")
        for line in tally.refused:
            print(f"  refused [{name}] {line}")
    return True


def report_real_line(name: str, tally: Tally) -> None:
    megabytes = tally.size / 1e6
    revue_speed = megabytes / tally.revue_seconds if tally.revue_seconds else 0.0
    fp_speed = megabytes / tally.feedparser_seconds if tally.feedparser_seconds else 0.0
    fast_speed = megabytes / tally.fast_seconds if tally.fast_seconds else 0.0
    ratio = revue_speed / fp_speed if fp_speed else 0.0
    entries = f"{tally.revue_entries}/{tally.feedparser_entries}"
    complete = f"{tally.revue_complete}/{tally.feedparser_complete}"
    print(f"  {name:<10} {tally.files:>5} {megabytes:>6.2f}  {entries:>17}  {complete:>18}"
          f"  {revue_speed:>10.1f} {fp_speed:>8.2f} {ratio:>6.1f}x  {fast_speed:>16.1f}")


# --------------------------------------------------------------------------- the regression sets


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
    options.add_argument("--repeat", type=int, default=2)
    options.add_argument("--real-only", action="store_true", help="only the real corpus")
    arguments = options.parse_args()
    warnings.filterwarnings("ignore")  # feedparser warns about odd documents; the counts say enough

    fixtures = [path.read_bytes() for path in sorted(FIXTURES.iterdir()) if path.is_file()]
    revue_parse(fixtures[0])  # warm imports (dateparser loads lazily) before timing
    plain_feedparser(fixtures[0])
    measure_real(arguments.repeat)
    if arguments.real_only:
        return
    measure("fixture files", fixtures, arguments.repeat)
    measure(
        f"generated RSS 2.0 ({arguments.feeds} feeds x {arguments.items} items)",
        generated_feeds(arguments.feeds, arguments.items),
        arguments.repeat,
    )


if __name__ == "__main__":
    main()
