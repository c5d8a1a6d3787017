"""The crawl benchmark's loopback press: N generated RSS feeds, served in a process of its own.

``PressSpec`` says what the press is (feeds, items per feed, loopback hosts, latency, seed);
everything it serves is a pure function of the spec and the current *round*, so two crawlers
run one after the other (Revue's and the naive baseline) see byte-identical documents and the
same latency for each request.

- Feed ``n`` lives on loopback host ``n % hosts`` (``127.77.x.y``: Linux routes all of
  127.0.0.0/8 to ``lo``, so each host is a real, distinct address and per-host politeness sees
  ``hosts`` outlets, not one) at ``/feeds/<n>.xml``: RSS 2.0, ``--items`` entries, each with a
  ~2.5 KB ``content:encoded`` body (full content, so no page fetch), a summary, an author, a
  category and a ``media:content`` image.  Each article is one event (a person, a place, a
  figure, told in generic words); a quarter report one of the 20 events of their hour, as
  several outlets do, so stories form as in real news (text of shared names and a shared
  paragraph pool made all 60,000 articles a single story, which no press resembles).  With ``pages_fraction`` > 0 that share of the feeds
  is summary-only and their article pages are served at ``/a/<n>/<k>.html``.
- ``ETag`` / ``Last-Modified`` on every feed; ``If-None-Match`` (else ``If-Modified-Since``)
  answered with 304.  gzip when asked (bodies rendered and compressed once, then cached).
- Round 1: every feed at version 0.  Round 2 onward: a seeded ``change_fraction`` of the feeds is
  at version 1 (``new_items`` newer entries on top, the window of ``items`` slides), the others
  are unchanged and answer 304 to a conditional GET.
- Every response (but the control endpoint) waits a seeded uniform ``latency_ms`` delay,
  a function of (seed, path, round), before it is written.
- Control, on the first host, no delay: ``/_bench/round/<r>``, ``/_bench/warm`` (render and
  compress every feed of the round now, before it is measured), ``/_bench/reset`` (counters),
  ``/_bench/stats`` (JSON: requests by status, latency sum, max requests in flight, CPU seconds).

The server is a minimal HTTP/1.1 keep-alive implementation on ``asyncio.start_server``, one
listening socket per host, in a child process (``RunningPress``) so it never shares a GIL
with the crawler it serves.  Standalone: ``python bench/crawlpress.py --feeds 20``.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import random
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from urllib.request import urlopen
from xml.sax.saxutils import escape

BASE_TIME = datetime(2025, 5, 20, 6, 0, tzinfo=timezone.utc)
ITEM_STEP = timedelta(minutes=20)
CONTROL = "/_bench/"

# Generic vocabulary (no names): what articles share without being about the same event.
WORDS = (
    "économie réforme gouvernement élection marché port tramway croissance énergie solaire culture "
    "festival médina santé école université sécurité agriculture pluie barrage tourisme football "
    "ministre parlement budget exportations phosphates investissement emploi jeunesse région littoral "
    "autoroute aéroport train ville conseil communal projet chantier hôpital étudiants saison récolte "
    "prix inflation banque entreprise numérique réseau eau potable sécheresse barrages patrimoine musée "
    "artisans exposition cinéma musique équipe championnat sélection entraîneur victoire défaite stade "
    "supporters match séance débat rapport hausse baisse accord programme mesure enquête responsables "
    "habitants quartier travaux ouverture fermeture bilan annonce visite réunion calendrier"
).split()
# What makes one article one event, as in real news: who, where, which figure.
FIRST_NAMES = (
    "Salma Youssef Nadia Karim Amina Omar Leila Hicham Fatima Rachid Samira Mehdi Zineb Hamza Imane Adil "
    "Khadija Tarik Houda Anas Meryem Ilyas Sanaa Reda Ghita Yassine Asmae Bilal Hajar Othmane Nora Driss "
    "Loubna Aziz Soukaina Jamal Hind Mourad Siham Nabil"
).split()
LAST_NAMES = (
    "Bennani Alaoui Tazi Idrissi Fassi Berrada Chraibi Lahlou Benjelloun Kettani Sqalli Bensouda Amrani "
    "Slaoui Naciri Filali Mernissi Guessous Zniber Bouzidi Ouazzani Lamrani Sebti Kabbaj Tahiri Belkadi "
    "Hajji Rami Cherkaoui Ziani Bekkali Mansouri Rifai Zerouali Hilali Ghazi Skalli Jettou Benkirane Aouad "
    "Benmoussa Lyoussi Doukkali Soussi Mekouar Belhaj Tounsi Chaoui Bakkali Naji"
).split()
PLACES = (
    "Rabat Casablanca Tanger Marrakech Fès Agadir Oujda Meknès Kénitra Tétouan Safi Nador Laâyoune Dakhla "
    "Essaouira Ifrane Khouribga Béni Mellal Settat Larache Taza Errachidia Ouarzazate Guelmim Berkane"
).split()
SHARED_EVENTS = 0.25
CATEGORIES = ("maroc", "economie", "sport", "culture", "monde", "societe")
AUTHORS = ("Salma Bennani", "Youssef Alaoui", "Nadia Tazi", "Karim Idrissi", "Rédaction")


@dataclass(frozen=True)
class PressSpec:
    feeds: int = 2000
    items: int = 30
    hosts: int = 250
    latency_ms: tuple[float, float] = (20.0, 50.0)
    seed: int = 20220520
    change_fraction: float = 0.10
    new_items: int = 3
    pages_fraction: float = 0.0

    # --- addresses ---------------------------------------------------------------------

    def host_ip(self, host: int) -> str:
        return f"127.77.{host // 250}.{host % 250 + 1}"

    def ips(self) -> list[str]:
        return [self.host_ip(h) for h in range(self.hosts)]

    def feed_url(self, port: int, n: int) -> str:
        return f"http://{self.host_ip(n % self.hosts)}:{port}/feeds/{n}.xml"

    def control_url(self, port: int, what: str) -> str:
        return f"http://{self.host_ip(0)}:{port}{CONTROL}{what}"

    # --- what changes, what is summary-only --------------------------------------------

    def changed_feeds(self) -> frozenset[int]:
        count = round(self.feeds * self.change_fraction)
        return frozenset(random.Random(f"{self.seed}:changed").sample(range(self.feeds), count))

    def summary_only_feeds(self) -> frozenset[int]:
        count = round(self.feeds * self.pages_fraction)
        return frozenset(random.Random(f"{self.seed}:pages").sample(range(self.feeds), count))

    def version(self, n: int, round_: int, changed: frozenset[int]) -> int:
        return 1 if round_ >= 2 and n in changed else 0

    def item_range(self, version: int) -> range:
        """Item numbers in a feed at ``version``, oldest first (a sliding window)."""
        top = self.items - 1 + version * self.new_items
        return range(top - self.items + 1, top + 1)

    def latency(self, path: str, round_: int) -> float:
        low, high = self.latency_ms
        return random.Random(f"{self.seed}:{path}:{round_}").uniform(low, high) / 1000.0


def stratified_subset(spec: PressSpec, count: int) -> list[int]:
    """``count`` feed numbers with the press's share of changed feeds (for a baseline on fewer feeds)."""
    if count >= spec.feeds:
        return list(range(spec.feeds))
    changed = sorted(spec.changed_feeds())
    unchanged = [n for n in range(spec.feeds) if n not in spec.changed_feeds()]
    take_changed = round(count * len(changed) / spec.feeds)
    return sorted(changed[:take_changed] + unchanged[: count - take_changed])


# --- content ---------------------------------------------------------------------------------


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


class Content:
    """Renders the press's documents; paragraphs come from a seeded pool so rendering is cheap."""

    def __init__(self, spec: PressSpec) -> None:
        self.spec = spec
        self.summary_only = spec.summary_only_feeds()

    def _article(self, n: int, k: int) -> dict:
        """Article ``k`` of feed ``n``: one event (a person, a place, a figure) told in generic
        words, so articles are distinct stories as news items are, not one story of all; a
        quarter of them report an event that other outlets report too."""
        rng = random.Random(f"{self.spec.seed}:{n}:{k}")
        # a quarter of the articles cover one of the 20 events of their hour, as other outlets do
        shared = rng.random() < SHARED_EVENTS
        event = random.Random(f"{self.spec.seed}:event:{k}:{rng.randrange(20)}") if shared else rng
        person = f"{event.choice(FIRST_NAMES)} {event.choice(LAST_NAMES)}"
        place, figure = event.choice(PLACES), event.randint(12, 98_000)
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 7)))
        title = f"{place} : {person} présente {figure} {words}"
        lead = f"{person} a annoncé à {place} {figure} {words} — dépêche {n}-{k} de notre rédaction."
        body = [lead] + [_sentence_case(" ".join(rng.choice(WORDS) for _ in range(rng.randint(45, 75)))) + "."
                         for _ in range(6)]
        return {
            "title": title,
            "published": BASE_TIME + k * ITEM_STEP + timedelta(seconds=n % 600),
            "author": rng.choice(AUTHORS),
            "category": rng.choice(CATEGORIES),
            "summary": (lead + " " + body[1])[:220].rsplit(" ", 1)[0] + " …",
            "body": body,
        }

    def feed(self, n: int, version: int, base: str) -> tuple[bytes, datetime]:
        """The RSS document of feed ``n`` at ``version`` and its newest item's date."""
        numbers = list(reversed(self.spec.item_range(version)))
        full = n not in self.summary_only
        items, newest = [], None
        for k in numbers:
            a = self._article(n, k)
            newest = newest or a["published"]
            link = f"{base}/a/{n}/{k}.html"
            image = f"{base}/img/{n}/{k}.jpg"
            parts = [
                f"<item>\n<title>{escape(a['title'])}</title>\n<link>{link}</link>\n"
                f'<guid isPermaLink="false">urn:bench:{n}:{k}</guid>\n'
                f"<pubDate>{format_datetime(a['published'], usegmt=True)}</pubDate>\n"
                f"<dc:creator>{escape(a['author'])}</dc:creator>\n<category>{a['category']}</category>\n"
                f"<description>{escape(a['summary'])}</description>\n"
            ]
            if full:
                html = "".join(f"<p>{escape(p)}</p>\n" for p in a["body"])
                parts.append(f'<content:encoded><![CDATA[<p><img src="{image}" alt=""></p>\n{html}]]></content:encoded>\n')
            parts.append(f'<media:content url="{image}" medium="image" type="image/jpeg" width="1200" height="675"/>\n</item>\n')
            items.append("".join(parts))
        document = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/">\n'
            f"<channel>\n<title>Bench outlet {n % self.spec.hosts} — flux {n}</title>\n<link>{base}/</link>\n"
            f"<description>Flux généré {n}</description>\n<language>fr</language>\n"
            f"<lastBuildDate>{format_datetime(newest, usegmt=True)}</lastBuildDate>\n"
            + "".join(items) + "</channel>\n</rss>\n"
        )
        return document.encode("utf-8"), newest

    def page(self, n: int, k: int, base: str) -> bytes:
        a = self._article(n, k)
        paragraphs = "".join(f"<p>{escape(p)}</p>\n" for p in a["body"])
        return (
            f'<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8"><title>{escape(a["title"])}</title>\n'
            f'<link rel="canonical" href="{base}/a/{n}/{k}.html">\n'
            f'<meta property="article:published_time" content="{a["published"].isoformat()}">\n'
            f'<meta property="og:image" content="{base}/img/{n}/{k}.jpg"></head>\n<body>\n'
            f'<header><nav><a href="/">Accueil</a> <a href="/sport/">Sport</a></nav></header>\n'
            f'<main><article><h1>{escape(a["title"])}</h1>\n<p class="byline">Par {escape(a["author"])}</p>\n'
            f"{paragraphs}</article></main>\n<footer>© Bench press</footer>\n</body></html>\n"
        ).encode("utf-8")


# --- the server ------------------------------------------------------------------------------


@dataclass
class Stats:
    requests: int = 0
    ok: int = 0
    not_modified: int = 0
    not_found: int = 0
    feeds: int = 0
    pages: int = 0
    robots: int = 0
    latency_sum: float = 0.0
    bytes_sent: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    connections: int = 0


class Press:
    """The press's state: current round, counters, caches."""

    def __init__(self, spec: PressSpec, port: int) -> None:
        self.spec = spec
        self.port = port
        self.round = 1
        self.content = Content(spec)
        self.changed = spec.changed_feeds()
        self.stats = Stats()
        self.cpu_started = time.process_time()
        self._cache: dict[tuple[int, int], tuple[bytes, bytes, str, str]] = {}
        self.misses: list[str] = []  # the first paths asked for that the press does not serve

    def base(self, n: int) -> str:
        return f"http://{self.spec.host_ip(n % self.spec.hosts)}:{self.port}"

    def control(self, path: str) -> tuple[int, dict, bytes]:
        what = path[len(CONTROL):].strip("/").split("/")
        if what[0] == "round" and len(what) == 2:
            self.round = int(what[1])
        elif what[0] == "warm":  # make this round's feeds now, so that serving them costs what serving costs
            for n in range(self.spec.feeds):
                self._feed_document(n, self.spec.version(n, self.round, self.changed))
        elif what[0] == "reset":
            self.stats = Stats()
            self.misses = []
            self.cpu_started = time.process_time()
        elif what[0] != "stats":
            return 404, {}, b"unknown control\n"
        body = dict(asdict(self.stats), round=self.round, cpu_seconds=time.process_time() - self.cpu_started,
                    misses=self.misses)
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

    def _feed_document(self, n: int, version: int) -> tuple[bytes, bytes, str, str]:
        key = (n, version)
        if key not in self._cache:
            raw, newest = self.content.feed(n, version, self.base(n))
            self._cache[key] = (raw, gzip.compress(raw, compresslevel=6, mtime=0),
                                f'"bench-{n}-v{version}"', format_datetime(newest, usegmt=True))
        return self._cache[key]

    def respond(self, path: str, headers: dict[str, str]) -> tuple[int, dict, bytes]:
        if len(self.misses) < 20 and not path.startswith(("/feeds/", "/a/", "/robots.txt")):
            self.misses.append(path)
        parts = path.split("?", 1)[0].strip("/").split("/")
        try:
            if parts[0] == "feeds" and len(parts) == 2 and parts[1].endswith(".xml"):
                return self._feed(int(parts[1][:-4]), headers)
            if parts[0] == "a" and len(parts) == 3 and parts[2].endswith(".html"):
                n, k = int(parts[1]), int(parts[2][:-5])
                if 0 <= n < self.spec.feeds:
                    self.stats.pages += 1
                    return 200, {"Content-Type": "text/html; charset=utf-8"}, self.content.page(n, k, self.base(n))
            if parts == ["robots.txt"]:
                self.stats.robots += 1
                return 200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n"
        except ValueError:
            pass
        return 404, {"Content-Type": "text/plain"}, b"not found\n"

    def _feed(self, n: int, headers: dict[str, str]) -> tuple[int, dict, bytes]:
        if not 0 <= n < self.spec.feeds:
            return 404, {"Content-Type": "text/plain"}, b"not found\n"
        self.stats.feeds += 1
        raw, gz, etag, last_modified = self._feed_document(n, self.spec.version(n, self.round, self.changed))
        validators = {"ETag": etag, "Last-Modified": last_modified}
        if _not_modified(etag, last_modified, headers):
            return 304, validators, b""
        out = {"Content-Type": "application/rss+xml; charset=utf-8", "Vary": "Accept-Encoding", **validators}
        if "gzip" in headers.get("accept-encoding", ""):
            out["Content-Encoding"] = "gzip"
            return 200, out, gz
        return 200, out, raw


def _not_modified(etag: str, last_modified: str, headers: dict[str, str]) -> bool:
    if inm := headers.get("if-none-match"):
        return etag in {t.strip().removeprefix("W/") for t in inm.split(",")} or inm.strip() == "*"
    if ims := headers.get("if-modified-since"):
        try:
            return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
    return False


REASONS = {200: "OK", 304: "Not Modified", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}


async def _connection(press: Press, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    press.stats.connections += 1
    try:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                return
            lines = head.decode("latin-1").split("\r\n")
            try:
                method, target, version = lines[0].split(" ", 2)
            except ValueError:
                method, target, version = "", "/", "HTTP/1.0"
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    name, value = line.split(":", 1)
                    headers[name.strip().lower()] = value.strip()
            if length := int(headers.get("content-length", "0") or 0):
                await reader.readexactly(length)
            keep_alive = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
            if target.startswith(CONTROL):
                status, out, body = press.control(target)
            else:
                press.stats.requests += 1
                press.stats.in_flight += 1
                press.stats.max_in_flight = max(press.stats.max_in_flight, press.stats.in_flight)
                try:
                    delay = press.spec.latency(target, press.round)
                    press.stats.latency_sum += delay
                    await asyncio.sleep(delay)
                    if method not in ("GET", "HEAD"):
                        status, out, body = 405, {"Content-Type": "text/plain"}, b"GET only\n"
                    else:
                        status, out, body = press.respond(target, headers)
                finally:
                    press.stats.in_flight -= 1
                press.stats.ok += status == 200
                press.stats.not_modified += status == 304
                press.stats.not_found += status == 404
                press.stats.bytes_sent += len(body)
            head_lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}", "Server: BenchPress/1.0",
                          f"Content-Length: {len(body) if status != 304 else 0}"]
            if status == 304:
                body = b""
            head_lines += [f"{k}: {v}" for k, v in out.items()]
            if not keep_alive:
                head_lines.append("Connection: close")
            writer.write(("\r\n".join(head_lines) + "\r\n\r\n").encode("latin-1") + (b"" if method == "HEAD" else body))
            await writer.drain()
            if not keep_alive:
                return
    except ConnectionError:
        pass
    finally:
        writer.close()


async def _serve(spec: PressSpec, wanted_port: int = 0) -> None:
    port, servers = 0, []
    for attempt in range(1 if wanted_port else 20):
        servers = []
        try:
            port = wanted_port
            if not port:
                first = await asyncio.start_server(lambda r, w: None, spec.host_ip(0), 0)
                port = first.sockets[0].getsockname()[1]
                first.close()
            press = Press(spec, port)

            def handler(r, w):
                return _connection(press, r, w)

            for ip in spec.ips():
                servers.append(await asyncio.start_server(handler, ip, port, backlog=1024))
            break
        except OSError:
            for s in servers:
                s.close()
            if wanted_port or attempt == 19:
                raise
    print(f"port {port}", flush=True)
    await asyncio.gather(*(s.serve_forever() for s in servers))


class RunningPress:
    """A press served by a child process of its own; ``close()`` (or ``with``) stops it."""

    def __init__(self, spec: PressSpec, port: int = 0) -> None:
        """``port``: the port to serve on (0: any free one; a kept database names its press's port)."""
        self.spec = spec
        config = json.dumps(asdict(spec))
        self.process = subprocess.Popen([sys.executable, __file__, "--serve", config, "--port", str(port)],
                                        stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        if not line.startswith("port "):
            self.close()
            raise RuntimeError("the bench press did not start")
        self.port = int(line.split()[1])

    @property
    def pid(self) -> int:
        return self.process.pid

    def control(self, what: str, timeout: float = 30) -> dict:
        with urlopen(self.spec.control_url(self.port, what), timeout=timeout) as response:
            return json.loads(response.read())

    def set_round(self, round_: int) -> None:
        self.control(f"round/{round_}")

    def warm(self) -> dict:
        """Make every feed of the current round before it is measured (a real server has its
        feeds ready; making them while the crawler runs would take CPU from the crawler)."""
        return self.control("warm", timeout=3600)

    def reset(self) -> dict:
        return self.control("reset")

    def stats(self) -> dict:
        return self.control("stats")

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> "RunningPress":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the crawl benchmark's press until Ctrl-C.")
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--hosts", type=int, default=5)
    parser.add_argument("--round", type=int, default=1)
    parser.add_argument("--serve", metavar="SPEC_JSON", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help="port to serve on (default: any free one)")
    args = parser.parse_args()
    if args.serve:  # the child process RunningPress starts
        config = json.loads(args.serve)
        config["latency_ms"] = tuple(config["latency_ms"])
        # uvloop when installed (Revue's own dependency): the press stands for servers on other
        # machines, so the less of the crawler's two cores it takes, the truer the figures
        try:
            import uvloop
        except ImportError:
            uvloop = None
        with asyncio.Runner(loop_factory=uvloop.new_event_loop if uvloop else None) as runner:
            runner.run(_serve(PressSpec(**config), args.port))
        return
    spec = PressSpec(feeds=args.feeds, items=args.items, hosts=args.hosts)
    with RunningPress(spec, args.port) as press:
        press.set_round(args.round)
        for n in range(spec.feeds):
            print(spec.feed_url(press.port, n), flush=True)
        try:
            press.process.wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
