"""Stories: exact duplicates collapse, republished copies are linked, and the articles that tell one
event, from many outlets and languages, form one story — incrementally, as each batch is stored.

The package, from the bottom up (each module imports only those above it in this list):

* ``lexicon`` — the small news lexicon of our own: countries, exonyms, institutions, kinds of event;
* ``rarity`` — how rare a word is in its language (wordfreq), what makes a shared word telling;
* ``figures`` — numbers read the way each language writes them, a match's score, their weights;
* ``features`` — what an article's title and lead say: rarity-weighted words, names as skeletons,
  figures, concepts (``analyse``);
* ``dedupe`` — shingles, MinHash signatures and LSH bands: copies and near-duplicates;
* ``fingerprints`` — what the index keeps of an article and its index keys (``prepare``), the
  settings (``StoryParams``);
* ``scoring`` — how surely an article tells a story's event;
* ``clusterer`` — the algorithm (``Clusterer``), the in-memory index and ``cluster(items)``;
* ``store`` — the same ``Clusterer`` over the database (``assign_stories``, ``rebuild_stories``),
  which needs Django; the modules above do not, so the crawler's CPU processes use them alone.

The names below are the package's interface for the crawler, the commands, benchmarks and tests.
"""

from revue.news.stories.clusterer import Assignment, Clusterer, MemoryIndex, StoryIndex, assignments, cluster
from revue.news.stories.fingerprints import (ArticleItem, Fingerprint, Prepared, Profile, StoryItem, StoryParams,
                                             prepare, prepare_all, reuse)
from revue.news.stories.scoring import similarity, story_similarity

__all__ = [
    "ArticleItem", "Assignment", "Clusterer", "Fingerprint", "MemoryIndex", "Prepared", "Profile", "StoryIndex",
    "StoryItem", "StoryParams", "assignments", "cluster", "prepare", "prepare_all", "reuse", "similarity",
    "story_similarity",
]
