"""What the crawler's fork server loads once, before it forks any CPU or settle process
(``revue.crawl.pipeline._context`` names this module in its preload list): py3langid's model and
the word rarities of the languages Revue tells apart. Each process forked from it starts with
them in memory (pages shared with the fork server until written), rather than loading them on
its first article: 1.4 s of CPU per process (0.6 s the model, 0.8 s the four word lists), which
a crawl of 2,000 feeds paid again in each of its three processes.

Importing this module does the loading: it is meant for the fork server alone.
"""

from __future__ import annotations

import gc

from revue.news.stories import rarity
from revue.text import language

language.identifier()
for _code in language.DETECTABLE:
    rarity.table(_code)
gc.freeze()  # what is loaded stays out of the collector's passes: its pages stay shared, not copied
