"""Stems are the same however many threads stem at once (a server's threads searching together).

A snowball stemmer keeps the word it works on in itself: one shared by every thread spoilt stems,
or raised IndexError, when two readers' searches indexed queued articles at the same moment
(found under ``revue serve``'s threads while the crawler imported: a 500 on /recherche).
"""

from __future__ import annotations

import random
import threading

from revue.news.search import words

FRENCH = ["nationalisation", "gouvernements", "élections", "prolongée", "régionales", "investissements",
          "manifestations", "marocaines", "économiquement", "rapprochement", "inondations", "présidentielles"]  # fmt: skip


def test_eight_threads_stem_as_one_does():
    rng = random.Random(17)
    vocabulary = [f"{rng.choice(FRENCH)}{rng.choice(['', 's', 'ment', 'ées', 'ions', 'er'])}" for _ in range(4000)]
    alone = [words._stemmer("fr").stemWord(word) for word in vocabulary]
    results: dict[int, list[str]] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def stem_all(n: int) -> None:
        start.wait()
        try:
            results[n] = [words.stem.__wrapped__(word, "fr") for word in vocabulary]  # past the lru_cache
        except BaseException as error:  # noqa: BLE001  (an IndexError is the failure we look for)
            errors.append(error)

    threads = [threading.Thread(target=stem_all, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert all(found == alone for found in results.values())
