"""Duplicates: the same text and republished copies (near-duplicates), as index keys.

Pure functions over the tokens of ``revue.news.stories.features``, no ORM:

* ``signature(tokens, …)`` — a MinHash signature (datasketch, CRC-32 of each shingle) of the word shingles, whose
  agreement with another signature estimates the Jaccard similarity of the two texts;
* ``band_keys(signature, shape)`` — the LSH bands of a signature as index keys: two texts whose
  similarity is above the shape's threshold share a band with high probability, so a
  near-duplicate is found by looking those keys up, never by comparing with every article; the
  same text (case, accents, punctuation and spacing aside) has the same signature and shares
  every band;
* ``containment(…)`` — from two signatures and their shingle counts, the share of the shorter
  text found in the longer one (a copy may be cut, or carry a byline and a "read also" line);
* ``is_copy(…)`` — the decision: contained enough, and the same figures (a daily item such as
  the exchange rates is the same text every day with other figures).
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from datasketch import MinHash

from revue.news.stories.features import unique_key

SEED = 20250520  # the MinHash permutations: fixed, or signatures stored earlier mean nothing
FIGURES_IN_COMMON = 0.7  # share of the smaller text's figures a copy must repeat


@dataclass(frozen=True)
class LshShape:
    """``bands`` bands of ``rows`` signature values each (bands × rows ≤ permutations)."""

    permutations: int
    bands: int
    rows: int

    @property
    def threshold(self) -> float:
        """The similarity at which two texts share a band with probability about one half."""
        return (1 / self.bands) ** (1 / self.rows)


def _probability(s: float, bands: int, rows: int) -> float:
    return 1 - (1 - s**rows) ** bands


def _integral(f, low: float, high: float, steps: int = 200) -> float:
    width = (high - low) / steps
    return sum(f(low + (i + 0.5) * width) for i in range(steps)) * width


@lru_cache(maxsize=32)
def lsh_shape(threshold: float, permutations: int) -> LshShape:
    """The (bands, rows) that best separates texts below and above ``threshold``: the least
    false positives plus false negatives, weighted equally (as datasketch's MinHashLSH does)."""
    if not 0 < threshold < 1:
        raise ValueError(f"the LSH threshold must be between 0 and 1, got {threshold}")
    best, best_error = (1, 1), math.inf
    for bands in range(1, permutations + 1):
        for rows in range(1, permutations // bands + 1):
            false_positive = _integral(lambda s: _probability(s, bands, rows), 0.0, threshold)
            false_negative = _integral(lambda s: 1 - _probability(s, bands, rows), threshold, 1.0)
            if false_positive + false_negative < best_error:
                best, best_error = (bands, rows), false_positive + false_negative
    return LshShape(permutations, *best)


@lru_cache(maxsize=4)
def _template(permutations: int) -> MinHash:
    return MinHash(num_perm=permutations, seed=SEED, hashfunc=zlib.crc32)


def shingles(tokens: tuple[str, ...], size: int) -> list[bytes]:
    """Runs of ``size`` words (one shingle for a shorter text)."""
    if len(tokens) <= size:
        return [" ".join(tokens).encode()] if tokens else []
    return [" ".join(tokens[i : i + size]).encode() for i in range(len(tokens) - size + 1)]


def signature(tokens: tuple[str, ...], size: int, permutations: int) -> bytes:
    """The MinHash signature of the text's shingles, as ``permutations`` little-endian uint32."""
    template = _template(permutations)
    sketch = MinHash(num_perm=permutations, seed=SEED, hashfunc=zlib.crc32, permutations=template.permutations,
                     scheme=template.scheme)
    found = shingles(tokens, size)
    if found:
        sketch.update_batch(found)
    return np.asarray(sketch.hashvalues, dtype="<u4").tobytes()


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two texts from their signatures."""
    if len(a) != len(b) or not a:
        return 0.0
    return float(np.count_nonzero(np.frombuffer(a, "<u4") == np.frombuffer(b, "<u4"))) / (len(a) // 4)


def shingle_count(tokens: tuple[str, ...], size: int) -> int:
    return max(len(tokens) - size + 1, 1) if tokens else 0


def containment(a: bytes, b: bytes, size_a: int, size_b: int) -> float:
    """Estimated share of the shorter text's shingles that the other text has: with Jaccard
    similarity J, the texts share J / (1 + J) × (|A| + |B|) shingles."""
    jaccard = similarity(a, b)
    if not size_a or not size_b:
        return jaccard
    shared = jaccard / (1 + jaccard) * (size_a + size_b)
    return min(1.0, shared / min(size_a, size_b))


def band_keys(sig: bytes, shape: LshShape) -> list[int]:
    """One index key per band of the signature."""
    width = shape.rows * 4
    return [unique_key("b", f"{band}:{sig[band * width:(band + 1) * width].hex()}") for band in range(shape.bands)]


def figures_agree(a: frozenset[int], b: frozenset[int]) -> bool:
    """Whether two texts report the same figures (a copy may drop a paragraph, not change them)."""
    if not a or not b:
        return True
    return len(a & b) >= FIGURES_IN_COMMON * min(len(a), len(b))


def is_copy(contained: float, threshold: float, same_language: bool,
            figures_a: frozenset[int], figures_b: frozenset[int]) -> bool:
    """A republished copy: same language, the shorter text contained in the other, the same figures."""
    return same_language and contained >= threshold and figures_agree(figures_a, figures_b)
