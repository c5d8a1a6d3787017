"""Benchmark: article bodies rendered through the portal's proxied body, the regex it used before
issue #16 against ``revue.html.images`` (lxml) now, on real pages, in the same run.

    python bench/body_images.py [--rounds 7] [--blocked 0.2]

The bodies are the expected articles of the Readability test pages (``../shared/dev-data``,
see ``bench/devdata.py``), sanitized as the crawl stores them; each of their images gets an
``Image`` row (a share of them blocked, one in ten left without a row), as the crawl would have
linked them. Each body is rendered ``--rounds`` times by each side, interleaved, and its time is
the median; the figures are the per-body p50 and p95 and the sum, for bodies with images and for
those without (the fast path: no parsing), and the ratio new / old; then the same for the
rewrite alone (each outside image's ``src`` replaced, no proxy address signed), which is where
the two differ. Both sides' outputs are compared: on canonical (stored) HTML they must be the
same bytes.
"""

from __future__ import annotations

import argparse
import html as html_lib
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import devdata  # noqa: E402


def _setup() -> None:
    os.environ.setdefault("REVUE_DATA_DIR", tempfile.mkdtemp(prefix="revue-bench-html-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revue.settings")
    import django

    django.setup()


# --- the body rewrite as it was before #16 (portal_tags + moderation.body.image_src) --------------

_OLD_IMG_TAG = re.compile(r"""<img\b(?:[^>"']|"[^"]*"|'[^']*')*>""", re.IGNORECASE)
_OLD_SRC_ATTRIBUTE = re.compile(r"""\ssrc\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+)""", re.IGNORECASE)
_OLD_SRC = re.compile(r"""\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)


def _old_image_src(tag: str) -> str:
    found = _OLD_SRC.search(tag)
    if not found:
        return ""
    return html_lib.unescape(next(group for group in found.groups() if group is not None))


def old_proxied_body(body_html, article, address=str):
    from django.utils.html import format_html
    from django.utils.safestring import mark_safe

    from revue.moderation.body import placeholder_html
    from revue.news.models import url_hash
    from revue.portal.templatetags.portal_tags import (
        BODY_IMAGE_WIDTH,
        _images_by_hash,
        http_url,
        image_srcset,
        proxy_url,
    )

    def proxied_tag(tag: str, image) -> str:
        src = format_html(' src="{}" srcset="{}" sizes="(max-width: 48rem) 100vw, 48rem"',
                          address(proxy_url(image, BODY_IMAGE_WIDTH)), image_srcset(image, address))
        tag = _OLD_SRC_ATTRIBUTE.sub(lambda _: src, tag, count=1)
        extra = []
        if " loading=" not in tag:
            extra.append('loading="lazy"')
        if " decoding=" not in tag:
            extra.append('decoding="async"')
        if image.width and image.height and " width=" not in tag and " height=" not in tag:
            extra.append(f'width="{int(image.width)}" height="{int(image.height)}"')
        return tag[:4] + "".join(f" {attribute}" for attribute in extra) + tag[4:]

    html = str(body_html or "")
    if "<img" not in html.lower():
        return mark_safe(html)
    known = _images_by_hash(article)

    def rewrite(match: re.Match) -> str:
        tag = match.group(0)
        src = _old_image_src(tag)
        if not http_url(src):
            return tag
        image = known.get(url_hash(src))
        if image is None:
            return ""
        if image.is_blocked:
            return placeholder_html()
        return proxied_tag(tag, image)

    return mark_safe(_OLD_IMG_TAG.sub(rewrite, html))


def old_engine(body_html, _article=None):
    """The regexes alone: every outside image's src replaced by one address."""
    def rewrite(match: re.Match) -> str:
        tag = match.group(0)
        if not _old_image_src(tag).startswith(("http://", "https://")):
            return tag
        return _OLD_SRC_ATTRIBUTE.sub(lambda _: ' src="/img/x"', tag, count=1)

    return _OLD_IMG_TAG.sub(rewrite, body_html) if "<img" in body_html.lower() else body_html


def new_engine(body_html, _article=None):
    """``revue.html.images`` alone, doing the same."""
    from revue.html.images import rewrite_images

    def rewrite(image) -> None:
        if image.src.startswith(("http://", "https://")):
            image.set_attributes([(name, "/img/x" if name == "src" else value) for name, value in image.attributes])

    return rewrite_images(body_html, rewrite)


# --- the corpus ---------------------------------------------------------------------------------


class _Images(list):
    def all(self):
        return self


class Article:
    """What the portal's filter reads of an article: its pk, its images, its lead image."""

    def __init__(self, pk: int, images: list):
        self.pk = pk
        self.images = _Images(images)
        self.image = None


def corpus(blocked_share: float) -> list[tuple[str, Article]]:
    from revue.crawl.clean import sanitize_html
    from revue.html.images import image_sources
    from revue.news.models import Image, url_hash

    pages = sorted(devdata.path("extraction", "readability").glob("*/expected.html"))
    bodies, next_pk = [], 1
    for number, page in enumerate(pages):
        body = sanitize_html(page.read_text(encoding="utf-8", errors="replace"), f"https://outlet.example/{page.parent.name}/")
        images = []
        for index, src in enumerate(dict.fromkeys(image_sources(body))):
            if index % 10 == 9:
                continue  # no row: the portal leaves it out
            state = Image.State.BLOCKED if (next_pk * 0.618) % 1 < blocked_share else Image.State.VISIBLE
            images.append(Image(pk=next_pk, url=src, url_hash=url_hash(src), state=state,
                                width=800 if index % 2 else None, height=600 if index % 2 else None))
            next_pk += 1
        bodies.append((body, Article(number + 1, images)))
    return bodies


def _median_time(render, body, article, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        render(body, article)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _summary(times: list[float]) -> str:
    if not times:
        return "none"
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"p50 {statistics.median(ordered) * 1e6:7.1f} µs  p95 {p95 * 1e6:7.1f} µs  sum {sum(ordered) * 1e3:7.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--blocked", type=float, default=0.2, help="share of the images blocked")
    args = parser.parse_args()
    problem = devdata.missing("extraction", "readability")
    if problem:
        sys.exit(problem)
    _setup()
    from revue.portal.templatetags.portal_tags import proxied_body

    bodies = corpus(args.blocked)
    figures = {(side, kind): [] for side in ("old", "new") for kind in ("images", "no images")}
    same = 0
    for body, article in bodies:
        kind = "images" if "<img" in body else "no images"
        same += str(old_proxied_body(body, article)) == str(proxied_body(body, article))
        for side, render in (("old", old_proxied_body), ("new", proxied_body)):
            figures[side, kind].append(_median_time(render, body, article, args.rounds))
    with_images = sum(1 for body, _ in bodies if "<img" in body)
    print(f"{len(bodies)} bodies ({with_images} with images, {sum(len(a.images) for _, a in bodies)} image rows), "
          f"median of {args.rounds} rounds each; outputs identical: {same}/{len(bodies)}")
    _print(figures)
    engine = {(side, kind): [] for side in ("old", "new") for kind in ("images", "no images")}
    for body, article in bodies:
        kind = "images" if "<img" in body else "no images"
        for side, render in (("old", old_engine), ("new", new_engine)):
            engine[side, kind].append(_median_time(render, body, article, args.rounds))
    same = sum(old_engine(body) == new_engine(body) for body, _ in bodies)
    print(f"the rewrite alone (every outside image's src replaced, no proxy address signed); identical: {same}/{len(bodies)}")
    _print(engine)


def _print(figures) -> None:
    for kind in ("images", "no images"):
        for side in ("old", "new"):
            print(f"  {kind:9}  {side} (regex)  " if side == "old" else f"  {kind:9}  {side} (lxml)   ",
                  _summary(figures[side, kind]))
        old, new = sum(figures["old", kind]), sum(figures["new", kind])
        if old:
            print(f"  {kind:9}  ratio new/old: {new / old:.2f} (sum), "
                  f"{statistics.median(figures['new', kind]) / statistics.median(figures['old', kind]):.2f} (p50)")


if __name__ == "__main__":
    main()
