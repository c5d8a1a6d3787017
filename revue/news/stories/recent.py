"""What a clustering process keeps at hand between the crawler's batches (``revue.news.stories.store``):
the fingerprints it wrote or read last (``RECENT``) and, on SQLite, each key's most recent postings
(``POSTINGS``), both bounded and both valid only for what this process committed or read."""

from __future__ import annotations

from collections import OrderedDict

from django.db import transaction

from revue.news.stories import Fingerprint

RECENT_FINGERPRINTS = 8000  # fingerprints a process keeps at hand (a few days of a large portal)
RECENT_POSTING_KEYS = 30_000  # keys whose most recent postings a process keeps at hand (~20 MB)


class RecentFingerprints:
    """The fingerprints this process wrote or read last, so that the articles every newcomer is
    compared with are not read again batch after batch. Only committed rows get in (``remember``
    waits for the commit), so a rolled-back batch leaves nothing behind. What a fingerprint says
    never changes; its story number may (after a rebuild), so the story comes from the postings."""

    def __init__(self, size: int = RECENT_FINGERPRINTS) -> None:
        self.size = size
        self._items: OrderedDict[int, Fingerprint] = OrderedDict()

    def get(self, article: int) -> Fingerprint | None:
        found = self._items.get(article)
        if found is not None:
            self._items.move_to_end(article)
        return found

    def put(self, fingerprint: Fingerprint) -> None:
        self._items[fingerprint.id] = fingerprint
        self._items.move_to_end(fingerprint.id)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()

    def remember(self, fingerprints: list[Fingerprint]) -> None:
        """Keep these once the current transaction commits (at once outside a transaction)."""
        if fingerprints:
            transaction.on_commit(lambda: [self.put(fp) for fp in fingerprints])


RECENT = RecentFingerprints()


class RecentPostings:
    """For each key this process looked up or filed under last, its ``cap`` most recent postings,
    whatever their time: a lookup of a time range is answered from them when they cover it
    (``covers``), so the keys that recur (names, rare words, a story's bands) are not read batch
    after batch. Valid for one state of the index (``version``: ``_index_version`` plus the
    database), the state this process last read or committed: any other write (another process,
    a rebuild, a prune) changes the version and the lot is dropped. Only the crawler's batches
    use it (``assign_stories`` outside a transaction, on SQLite), and what a batch files gets in
    when it commits."""

    def __init__(self, size: int = RECENT_POSTING_KEYS) -> None:
        self.size = size
        self.version: tuple | None = None
        self.cap = 0
        self.heads: OrderedDict[int, list[tuple[int, int, int]]] = OrderedDict()  # key -> (time, article, story), newest first

    def check(self, version: tuple, cap: int) -> None:
        """Forget everything unless it was read or written at this version, with this cap."""
        if version != self.version or cap != self.cap:
            self.heads.clear()
            self.version, self.cap = version, cap

    def clear(self) -> None:
        self.heads.clear()
        self.version = None

    def head(self, key: int) -> list[tuple[int, int, int]] | None:
        found = self.heads.get(key)
        if found is not None:
            self.heads.move_to_end(key)
        return found

    def put(self, key: int, head: list[tuple[int, int, int]]) -> None:
        self.heads[key] = head
        self.heads.move_to_end(key)
        while len(self.heads) > self.size:
            self.heads.popitem(last=False)

    def committed(self, version: tuple, filed: list[tuple[int, int, int, int]]) -> None:
        """The batch's postings (key, time, article, story) are committed: the index is at ``version``."""
        if self.version is None:
            return
        heads, cap = self.heads, self.cap
        for key, time, article, story in filed:
            head = heads.get(key)
            if head is None:
                continue
            row = (time, article, story)
            if not head or row > head[0]:  # the usual case: the newest of its key
                head.insert(0, row)
            else:
                head.append(row)
                head.sort(reverse=True)
            if len(head) > cap:
                del head[cap:]
        self.version = version


def covers(head: list[tuple[int, int, int]], low: int, high: int, cap: int) -> bool:
    """Whether a key's ``cap`` most recent postings (``head``) hold its ``cap`` most recent ones in
    [low, high]: all of its postings, or enough of them in the range, or reaching below it."""
    if len(head) < cap or head[-1][0] < low or head[0][0] <= high:
        return True
    return sum(1 for time, _, _ in head if low <= time <= high) >= cap


POSTINGS = RecentPostings()
