"""The demo press's ground truth: outlets and their articles, generated deterministically.

`DemoPress(seed, now, edition, outlets)` builds every outlet of the catalogue with 30-36 articles
spread over the three days before `now` (newest first), the 48 ticker headlines among them, and,
for a third of the outlets, three newer articles per edition. Same arguments, same press, to the
byte; edition k holds edition k-1's articles unchanged plus the new ones. No Django, no network.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from .headlines import SEED_HEADLINES, SeedHeadline, assign_headlines
from .lexicon import Lexicon, lexicon_for
from .markup import Figure, InlineLink, body_markup
from .outlets import TRACKING_PARAMS, OutletProfile, outlet_profiles
from .writer import (Facts, Plan, category_cycle, draw_facts, draw_plan, headline_subject,
                     keyed_random, slots, write_author, write_caption, write_comments,
                     write_paragraphs, write_title)

DEFAULT_NOW = datetime(2025, 12, 8, 12, 0, tzinfo=timezone.utc)
WINDOW_MINUTES = 72 * 60
EDITION_ARTICLES = 3
MIN_FEED_SIZE = 30
SUMMARY_CHARS = 200
FEED_CONTENT_TYPES = {"rss2": "application/rss+xml", "atom": "application/atom+xml",
                      "jsonfeed": "application/feed+json", "rss1": "application/rdf+xml"}


@dataclass(frozen=True)
class DemoArticle:
    """One published article, as the outlet's page and feeds show it. Paths start at the press root."""

    outlet_slug: str
    index: int
    url_path: str
    guid: str
    title: str
    category: str
    author: str
    language: str
    published_at: datetime
    paragraphs: tuple[str, ...]
    summary: str
    lead_image_path: str
    inline_image_path: str | None
    inline_image_caption: str | None
    body_html: str
    story_key: str
    edition: int
    comments: tuple[tuple[str, str], ...]

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True)
class DemoFeed:
    """One feed of an outlet; `category_hint` is "" for the main feed, else a category slug."""

    path: str
    format: str
    category_hint: str
    content_type: str


@dataclass(frozen=True)
class DemoOutlet:
    """One outlet: who it is, how it publishes, and its articles, newest first."""

    name: str
    slug: str
    language: str
    country: str
    tagline: str
    layout: str
    feed_format: str
    feed_path: str
    full_content: bool
    encoding: str
    supports_304: bool
    tracking_params: str
    utc_offset: int
    image_element: str
    author_element: str
    feed_size: int
    feeds: tuple[DemoFeed, ...]
    articles: tuple[DemoArticle, ...]

    @property
    def home_path(self) -> str:
        return f"/{self.slug}/"

    @property
    def feed_paths(self) -> tuple[tuple[str, str], ...]:
        """(path, category hint) of every feed, the main one first."""
        return tuple((feed.path, feed.category_hint) for feed in self.feeds)

    def feed_articles(self, feed: DemoFeed) -> tuple[DemoArticle, ...]:
        """What a feed lists: the newest `feed_size` articles, of its category if it has one."""
        latest = self.articles[:self.feed_size]
        if not feed.category_hint:
            return latest
        return tuple(article for article in latest if article.category == feed.category_hint)

    def link_path(self, article: DemoArticle) -> str:
        """The article's path as the feeds link it, tracking parameters included."""
        return f"{article.url_path}?{self.tracking_params}" if self.tracking_params else article.url_path

    def article(self, index: int) -> DemoArticle:
        for article in self.articles:
            if article.index == index:
                return article
        raise KeyError(f"{self.slug} has no article {index}")


@dataclass(frozen=True)
class _Slot:
    """An article yet to be written: when, which category, and maybe which ticker headline."""

    index: int
    published_at: datetime
    category: str
    edition: int
    headline: SeedHeadline | None = None


def slugify(text: str, words: int = 8) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower())[:words])


def summarize(paragraphs: tuple[str, ...], limit: int = SUMMARY_CHARS) -> str:
    text = " ".join(paragraphs)
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def make_guid(style: str, slug: str, index: int, url_path: str) -> str:
    if style == "tag":
        return f"tag:{slug}.demo,2025:article-{index}"
    if style == "number":
        return str(100000 + index)
    if style == "link":
        return url_path
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'revue-demo:{slug}:{index}')}"


class DemoPress:
    """Every demo outlet and article for one (seed, now, edition, outlets)."""

    def __init__(self, seed: int = 2025, now: datetime | None = None, edition: int = 0,
                 outlets: int = 12) -> None:
        now = DEFAULT_NOW if now is None else now
        if now.tzinfo is None:
            raise ValueError("DemoPress needs a timezone-aware `now`")
        if edition < 0:
            raise ValueError("edition counts from 0")
        self.seed, self.edition, self.outlet_count = seed, edition, outlets
        self.now = now.astimezone(timezone.utc).replace(microsecond=0)
        profiles = outlet_profiles(outlets)
        slots_by_outlet = self._plan(profiles)
        written = self._write(profiles, slots_by_outlet)
        self.outlets: tuple[DemoOutlet, ...] = tuple(
            self._outlet(profile, written[profile.slug], slots_by_outlet[profile.slug])
            for profile in profiles)
        self._by_slug = {outlet.slug: outlet for outlet in self.outlets}

    def outlet(self, slug: str) -> DemoOutlet:
        try:
            return self._by_slug[slug]
        except KeyError:
            raise KeyError(f"no demo outlet {slug!r}") from None

    def article(self, slug: str, index: int) -> DemoArticle:
        return self.outlet(slug).article(index)

    def articles(self) -> tuple[DemoArticle, ...]:
        return tuple(article for outlet in self.outlets for article in outlet.articles)

    def with_edition(self, edition: int) -> DemoPress:
        return DemoPress(self.seed, self.now, edition, self.outlet_count)

    # -- planning: dates, categories, headlines ---------------------------------------------

    def _plan(self, profiles: tuple[OutletProfile, ...]) -> dict[str, list[_Slot]]:
        languages = sorted({profile.language for profile in profiles})
        dealt = assign_headlines({language: [p.slug for p in profiles if p.language == language]
                                  for language in languages})
        planned = {}
        for position, profile in enumerate(profiles):
            base = self._base_slots(profile, position, dealt[profile.slug])
            planned[profile.slug] = base + self._edition_slots(profile, position, len(base))
        return planned

    def _base_slots(self, profile: OutletProfile, position: int,
                    headlines: list[SeedHeadline]) -> list[_Slot]:
        count = max(MIN_FEED_SIZE + (position * 3) % 7, len(headlines) + 8)
        rng = keyed_random(self.seed, profile.slug, "calendar")
        minutes = sorted(rng.sample(range(61, WINDOW_MINUTES), count), reverse=True)
        moments = [self.now - timedelta(minutes=m, seconds=rng.randrange(60)) for m in minutes]
        placed = dict(zip(rng.sample(range(count), len(headlines)), headlines))
        return [_Slot(index=n + 1, published_at=moment, edition=0, headline=placed.get(n),
                      category=placed[n].category if n in placed else category_cycle(n, position))
                for n, moment in enumerate(moments)]

    def _edition_slots(self, profile: OutletProfile, position: int, base: int) -> list[_Slot]:
        """Three articles per edition, numbered after the base ones, in the hour before `now`:
        45 minutes before it for the first, ever closer to it for the later ones."""
        if not profile.publishes_editions:
            return []
        slots_ = []
        for edition in range(1, self.edition + 1):
            for n in range(EDITION_ARTICLES):
                step = EDITION_ARTICLES * (edition - 1) + n + 1
                slots_.append(_Slot(index=base + step, edition=edition,
                                    published_at=self.now - timedelta(seconds=round(10800 / (3 + step))),
                                    category=category_cycle(base + step, position)))
        return slots_

    # -- writing -----------------------------------------------------------------------------

    def _write(self, profiles, slots_by_outlet) -> dict[str, list[DemoArticle]]:
        """Write edition by edition, outlet by outlet, so a later edition never alters an earlier one."""
        used_titles = {headline.title for headline in SEED_HEADLINES}
        written: dict[str, list[DemoArticle]] = {profile.slug: [] for profile in profiles}
        for edition in range(self.edition + 1):
            for profile in profiles:
                for slot in slots_by_outlet[profile.slug]:
                    if slot.edition == edition:
                        written[profile.slug].append(
                            self._compose(profile, slot, written[profile.slug], used_titles))
        return written

    def _story(self, profile: OutletProfile, slot: _Slot, lexicon: Lexicon,
               used_titles: set[str]) -> tuple[str, Facts, Plan, str]:
        """(story key, facts, plan, title) of a slot; generated titles are unique in the press."""
        if slot.headline is not None:
            key = slot.headline.story_key or f"{profile.slug}-{slot.index}"
            rng = keyed_random(self.seed, "story", key)
            return key, draw_facts(rng, slot.category), draw_plan(rng, True), slot.headline.title
        for attempt in range(100):
            key = f"{profile.slug}-{slot.index}" + (f"~{attempt}" if attempt else "")
            rng = keyed_random(self.seed, "story", key)
            facts = draw_facts(rng, slot.category)
            title = write_title(lexicon, facts)
            if title not in used_titles:
                break
        used_titles.add(title)
        return key, facts, draw_plan(rng, False), title

    def _compose(self, profile: OutletProfile, slot: _Slot, earlier: list[DemoArticle],
                 used_titles: set[str]) -> DemoArticle:
        lexicon = lexicon_for(profile.language)
        key, facts, plan, title = self._story(profile, slot, lexicon, used_titles)
        local = slot.published_at + timedelta(hours=profile.utc_offset)
        subject = headline_subject(title) if slot.headline else ""
        extended = bool(slot.headline and slot.headline.extended)
        paragraphs = write_paragraphs(lexicon, facts, plan, local.weekday(), subject, extended)
        article_slug = slugify(title)
        if not re.search("[a-z]", article_slug):
            article_slug = slot.category
        stem = f"/{profile.slug}/images/{article_slug}-{slot.index}"
        url_path = (f"/{profile.slug}/{slot.published_at:%Y/%m}/{article_slug}-{slot.index}.html")
        rng = keyed_random(self.seed, profile.slug, slot.index, "page")
        author = write_author(lexicon, rng)
        link = _inline_link(rng, lexicon, facts, paragraphs, earlier, profile)
        figure = None
        if rng.random() < 0.4:
            figure = Figure(after=rng.randrange(1, len(paragraphs) - 1), src=f"{stem}-fig.png",
                            caption=write_caption(lexicon, facts, rng))
        return DemoArticle(
            outlet_slug=profile.slug, index=slot.index, url_path=url_path,
            guid=make_guid(profile.guid_style, profile.slug, slot.index, url_path),
            title=title, category=slot.category, author=author, language=profile.language,
            published_at=slot.published_at, paragraphs=paragraphs, summary=summarize(paragraphs),
            lead_image_path=f"{stem}.png",
            inline_image_path=figure.src if figure else None,
            inline_image_caption=figure.caption if figure else None,
            body_html=body_markup(profile.layout, paragraphs, link, figure),
            story_key=key, edition=slot.edition, comments=write_comments(lexicon, facts, rng))

    def _outlet(self, profile: OutletProfile, articles: list[DemoArticle],
                slots_: list[_Slot]) -> DemoOutlet:
        content_type = FEED_CONTENT_TYPES[profile.feed_format]
        feeds = [DemoFeed(f"/{profile.slug}/{profile.feed_path}", profile.feed_format, "", content_type)]
        feeds += [DemoFeed(f"/{profile.slug}/rss/{category}.xml", profile.feed_format, category,
                           content_type) for category in profile.category_feeds]
        return DemoOutlet(
            name=profile.name, slug=profile.slug, language=profile.language, country=profile.country,
            tagline=profile.tagline, layout=profile.layout, feed_format=profile.feed_format,
            feed_path=feeds[0].path, full_content=profile.full_content, encoding=profile.encoding,
            supports_304=profile.supports_304,
            tracking_params=TRACKING_PARAMS if profile.tracking else "",
            utc_offset=profile.utc_offset, image_element=profile.image_element,
            author_element=profile.author_element,
            feed_size=sum(1 for slot in slots_ if slot.edition == 0),
            feeds=tuple(feeds),
            articles=tuple(sorted(articles, key=lambda a: (a.published_at, a.index), reverse=True)))


def _inline_link(rng, lexicon: Lexicon, facts, paragraphs: tuple[str, ...],
                 earlier: list[DemoArticle], profile: OutletProfile) -> InlineLink | None:
    """Six articles in ten link a name in a middle paragraph to an older article of the outlet."""
    if rng.random() >= 0.6 or len(paragraphs) < 3:
        return None
    target = rng.choice(earlier[-6:]).url_path if earlier else f"/{profile.slug}/"
    values = slots(lexicon, facts)
    names = (values["org"], values["Org"], values["city2"], values["person"], values["topic"])
    positions = list(range(1, len(paragraphs) - 1))
    rng.shuffle(positions)
    for position in positions:
        for name in names:
            if name in paragraphs[position]:
                return InlineLink(paragraph=position, anchor=name, href=target)
    return None
