"""The crawler's plain values: a leased feed (``FeedJob``), what became of it (``FeedOutcome``),
its row's next state waiting to be written (``Release``), and a run's totals (``CrawlSummary``)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FeedJob:
    """A leased feed as plain values, so the async side never touches the ORM."""

    id: int
    url: str
    etag: str
    last_modified: str
    interval: int
    error_count: int
    category_hint: str
    source_id: int
    source_name: str
    source_language: str
    title: str  # the feed's own title, "" until a fetch gives it one
    entries_skipped: int  # entries left out so far (this crawl's are added to it)
    hub_url: str  # the WebSub hub it advertised last time, "" for none
    topic_url: str  # and its topic (self link)
    push_poll_seconds: int  # while a WebSub subscription is live: the shortest polling interval
    leased_at: float  # time.monotonic() when the lease was taken

    # what a lease reads of each feed, in the order of the fields above
    FIELDS = ("id", "url", "etag", "last_modified", "interval_seconds", "error_count", "category_hint", "source_id",
              "source__name", "source__language", "title", "entries_skipped", "hub_url", "topic_url",
              "push_poll_seconds")

    @classmethod
    def of(cls, row: dict, leased_at: float) -> "FeedJob":
        return cls(*(row[name] for name in cls.FIELDS), leased_at=leased_at)


@dataclass(frozen=True)
class FeedOutcome:
    """What happened to one feed in one crawl."""

    feed_id: int
    url: str
    status: str  # "ok", "not_modified", "error", "parked", "deferred" (lease given back unfetched), "lost" (to another worker)
    new_articles: int = 0
    entries: int = 0
    pages_fetched: int = 0
    pages_failed: int = 0
    entries_skipped: int = 0  # entries left out alone (the feed itself was fine)
    error: str = ""
    article_ids: tuple[int, ...] = ()  # the new articles, for settling (search, stories)
    features: dict = field(default_factory=dict, repr=False)  # their story features (pickled), by id, when made


@dataclass(frozen=True)
class Release:
    """The outcome of one fetch, waiting to be written with its lease given back."""

    feed_id: int
    fields: dict
    title: str = ""  # the feed's own title, for a feed that has none yet
    moved_to: str = ""  # its new URL after a permanent redirect


@dataclass
class CrawlSummary:
    """Totals of one ``run_once`` — what ``revue crawl`` prints at the end."""

    feeds: int = 0
    fetched: int = 0
    not_modified: int = 0
    errors: int = 0
    parked: int = 0
    new_articles: int = 0
    pages_fetched: int = 0
    pages_failed: int = 0
    entries_skipped: int = 0
    deferred: int = 0
    lost: int = 0  # feeds whose lease another worker took while this run worked on them
    seconds: float = 0.0
    failures: list[FeedOutcome] = field(default_factory=list)

    def add(self, outcome: FeedOutcome) -> None:
        if outcome.status == "deferred":  # given back unfetched: the run leases it again
            self.deferred += 1
            return
        if outcome.status == "lost":  # another worker has it: its outcome is that worker's
            self.lost += 1
            return
        self.feeds += 1
        self.new_articles += outcome.new_articles
        self.pages_fetched += outcome.pages_fetched
        self.pages_failed += outcome.pages_failed
        self.entries_skipped += outcome.entries_skipped
        if outcome.status == "not_modified":
            self.not_modified += 1
        elif outcome.status in {"error", "parked"}:
            self.errors += 1
            self.parked += outcome.status == "parked"
            self.failures.append(outcome)
        else:
            self.fetched += 1

    def line(self) -> str:
        return (
            f"{self.feeds} flux en {self.seconds:.1f} s : {self.fetched} lus, {self.not_modified} inchangés (304), "
            f"{self.errors} en erreur ({self.parked} mis en pause), {self.new_articles} nouveaux articles, "
            f"{self.pages_fetched} pages d'articles lues ({self.pages_failed} échecs)"
            + (f", {self.entries_skipped} entrées laissées de côté" if self.entries_skipped else "")
            + (f", {self.deferred} rendus sans être lus (attente trop longue)" if self.deferred else "")
            + (f", {self.lost} repris par un autre worker" if self.lost else "")
        )
