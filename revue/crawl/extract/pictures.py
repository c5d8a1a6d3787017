"""The article's pictures: the lead image, the page's figure captions, the pictures that sit in
the page's text put back in the body before their paragraph (the body is extracted without
pictures), a caption trafilatura kept without its picture made a figure again, and whether the
page is a *picture page* (a gallery, whose captions are the article)."""

from __future__ import annotations

import html as html_lib
import re

from lxml.html import HtmlElement

from revue.crawl.clean import absolutize
from revue.crawl.extract.blocks import _BLOCK, _READ_ALSO_MAX_CHARS, _TAG, _block_key, _title_key
from revue.crawl.extract.values import MIN_LEAD_IMAGE_PIXELS, PageDeclarations
from revue.crawl.furniture import COPYRIGHT_MARKS, CREDIT_WORDS, PICTURE_AGENCIES
from revue.html.images import Image, image_sources, read_images, rewrite_images

_LAZY_SRC_ATTRIBUTES = ("src", "data-src", "data-lazy-src", "data-original")
_IMAGE_KEYS = ("og:image", "og:image:secure_url", "og:image:url", "twitter:image", "twitter:image:src", "image")
# file names of icons, logos and tracking pixels: never a lead image
_NOT_A_PICTURE = re.compile(r"(?:^|[/_.-])(?:logo|icon|avatar|pixel|spacer|blank|sprite|badge|emoji)s?(?:[/_.-]|$)|\.svg(?:$|\?)", re.IGNORECASE)


def _lead_image(page: PageDeclarations, content: str, url: str) -> str:
    """og:image / twitter:image, else ``<link rel=image_src>``, else the first content image
    of sensible size."""
    candidates = [page.meta.get(key) for key in _IMAGE_KEYS] + [page.links.get("image_src")]
    for candidate in candidates:
        absolute = absolutize(candidate or "", url)
        if absolute:
            return absolute
    return first_content_image(content)


def first_content_image(content_html: str, min_pixels: int = MIN_LEAD_IMAGE_PIXELS) -> str:
    """The first ``<img>`` of sanitized HTML fit to lead an article: an http(s) picture whose
    declared width and height (when given) reach ``min_pixels``, not an icon, logo or pixel."""
    for image in read_images(content_html):
        src = image.src
        if not src.startswith(("http://", "https://")) or _NOT_A_PICTURE.search(src.split("?", 1)[0]):
            continue
        if any(size.isdigit() and int(size) < min_pixels for size in (image.width, image.height)):
            continue
        return src
    return ""


def _figure_captions(tree: HtmlElement, url: str) -> dict[str, str]:
    """Absolute image URL → its ``<figcaption>`` text, for every captioned figure on the page."""
    captions: dict[str, str] = {}
    for figure in tree.iter("figure"):
        caption = next(figure.iter("figcaption"), None)
        text = " ".join(caption.text_content().split()) if caption is not None else ""
        if not text:
            continue
        for image in figure.iter("img"):
            for attribute in _LAZY_SRC_ATTRIBUTES:
                absolute = absolutize(image.get(attribute) or "", url)
                if absolute:
                    captions.setdefault(absolute, text)
    return captions


def _restore_figures(body: str, captions: dict[str, str], url: str) -> str:
    """Wrap each image that had a caption on the page in ``<figure>`` + ``<figcaption>``."""
    if not captions:
        return body

    def wrap(image: Image) -> None:
        caption = captions.get(absolutize(image.src, url)) if image.src else None
        if caption:
            image.replace(f"<figure>{image.tag}<figcaption>{html_lib.escape(caption, quote=False)}</figcaption></figure>")

    return _pictures_for_captions(rewrite_images(body, wrap), captions, url)


# --- pictures in the article's flow ---------------------------------------------------------------

_FIGCAPTION = re.compile(r"<figcaption>.*?</figcaption>", re.DOTALL)
_PICTURE_PAGE_CAPTIONS = 3  # captioned figures, at least, for the pictures to carry the article …
_PICTURE_PAGE_SHARE = 0.5  # … and caption words, at least this share of the words in paragraphs
_FLOW_PICTURES_MAX = 40
_FLOW_IMAGE_DEPTH, _FLOW_ANCHOR_DEPTH = 6, 3  # how far up a picture and its paragraph may meet
_FLOW_KEY_CHARS = 80
# a caption that only credits the picture ("Foto: dpa", "© Reuters", "Image: iStock.com")
_CREDIT = re.compile(
    r"^\W*(?:" + "|".join(CREDIT_WORDS) + r")\b\s*:?"
    + r"|^\W*(?:" + "|".join(COPYRIGHT_MARKS) + ")"
    + r"|(?:^|\s)(?:/|\|)\s*(?:" + "|".join(PICTURE_AGENCIES) + r")\W*$",
    re.IGNORECASE,
)
_CREDIT_MAX_WORDS = 8


def _is_picture_page(tree: HtmlElement, captions: dict[str, str]) -> bool:
    """Whether the pictures carry the article (a photo gallery, a slideshow): several captioned
    figures whose captions hold as many words as half the page's paragraphs outside figures.
    Only then are captions the article's own text, taken with trafilatura's pictures."""
    distinct = set(captions.values())
    if len(distinct) < _PICTURE_PAGE_CAPTIONS:
        return False
    caption_words = sum(len(caption.split()) for caption in distinct)
    paragraph_words = 0
    for paragraph in tree.iter("p"):
        if any(ancestor.tag in ("figure", "figcaption") for ancestor in paragraph.iterancestors()):
            continue
        paragraph_words += len(paragraph.text_content().split())
    return caption_words >= _PICTURE_PAGE_SHARE * paragraph_words


def _is_credit(caption: str) -> bool:
    return len(caption.split()) <= _CREDIT_MAX_WORDS and bool(_CREDIT.search(caption))


def _ancestors(element: HtmlElement, depth: int) -> list[HtmlElement]:
    found = []
    for ancestor in element.iterancestors():
        found.append(ancestor)
        if len(found) >= depth:
            break
    return found


_FLOW_BLOCKS = frozenset({"p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre"})
_FLOW_MIN_CHARS = 20
_NOT_IN_FLOW = frozenset({"figure", "figcaption", "a"})


def _next_paragraph(image: HtmlElement) -> HtmlElement | None:
    """The first paragraph after ``image`` (with some text, outside figures and links) among
    what follows it inside its ancestors up to ``_FLOW_IMAGE_DEPTH`` levels up — or None."""
    child = image
    for depth, ancestor in enumerate(image.iterancestors()):
        if depth >= _FLOW_IMAGE_DEPTH:
            return None
        for sibling in child.itersiblings():
            if not isinstance(sibling.tag, str):
                continue
            for candidate in sibling.iter(*_FLOW_BLOCKS):
                if len(candidate.text_content().strip()) < _FLOW_MIN_CHARS:
                    continue
                if any(a.tag in _NOT_IN_FLOW for a in _ancestors(candidate, _FLOW_IMAGE_DEPTH)) or candidate.tag in _NOT_IN_FLOW:
                    continue
                return candidate
        child = ancestor
    return None


def _pictures_in_flow(tree: HtmlElement, url: str, captions: dict[str, str]) -> dict[str, list[tuple[str, str, str]]]:
    """The page's pictures that sit in a run of text, by the paragraph they stand before: the
    text key of that paragraph → [(absolute image URL, its alt text, its caption or "")]. A
    picture counts when the next paragraph is close to it in the tree (same container, a few
    levels up), so a logo, an avatar or a teaser's thumbnail far from any paragraph never does."""
    flow: dict[str, list[tuple[str, str, str]]] = {}
    seen: set[str] = set()  # the addresses as written
    placed: set[str] = set()  # the absolute addresses of the pictures in the flow
    for image in tree.iter("img"):
        raw = (image.get("src") or "").strip()
        if not raw or raw.startswith("data:") or _NOT_A_PICTURE.search(raw.split("?", 1)[0]):
            continue
        sizes = [image.get(name) or "" for name in ("width", "height")]
        if any(size.isdigit() and int(size) < MIN_LEAD_IMAGE_PIXELS for size in sizes):
            continue
        if raw in seen:
            continue
        seen.add(raw)
        if len(seen) > _FLOW_PICTURES_MAX:
            break
        following = _next_paragraph(image)
        if following is None or set(_ancestors(following, _FLOW_ANCHOR_DEPTH)).isdisjoint(_ancestors(image, _FLOW_IMAGE_DEPTH)):
            continue
        src = absolutize(raw, url)  # only now: most pictures of a page are not in its text
        if not src or src in placed:
            continue
        placed.add(src)
        key = _title_key(following.text_content())[:_FLOW_KEY_CHARS]
        caption = captions.get(src, "")
        alt = " ".join((image.get("alt") or "").split())
        flow.setdefault(key, []).append((src, alt, "" if _is_credit(caption) else caption))
    return flow


def _with_pictures(body: str, flow: dict[str, list[tuple[str, str, str]]]) -> str:
    """The pictures of the page's text put back in the body, each before its paragraph (the
    body is extracted without pictures: trafilatura's picture mode brings captions, credits and
    teasers' text with them). A short block that only repeats a picture's description (its alt
    text or caption, as a caption written outside ``<figcaption>`` does) becomes that figure's
    caption instead of article text, and a lone link to a picture file ("Vergrößern", "Zoom")
    goes."""
    if not flow:
        return body
    shown = set(image_sources(body))
    described = {}  # the text key of a picture's alt or caption → the picture's source
    for pictures in flow.values():
        for src, alt, caption in pictures:
            for description in (caption, alt):
                if len(description.split()) >= _DESCRIPTION_MIN_WORDS:
                    described.setdefault(_title_key(description)[:_FLOW_KEY_CHARS], src)
    found_captions: dict[str, str] = {}  # source → the block that described it
    keys: dict[int, str] = {}  # a block's offset → its text key
    dropped: set[int] = set()  # the offsets of the blocks that are captions or lightbox links
    for match in _BLOCK.finditer(body):
        key = keys[match.start()] = _block_key(match[2])[:_FLOW_KEY_CHARS]
        if len(match[2]) > 3 * _READ_ALSO_MAX_CHARS:
            continue
        src = described.get(key)
        if src is not None:
            found_captions.setdefault(src, " ".join(html_lib.unescape(_TAG.sub("", match[2])).split()))
            dropped.add(match.start())
        elif "href" in match[2] and _LONE_PICTURE_LINK.fullmatch(match[2].strip()):
            dropped.add(match.start())

    def place(match: re.Match[str]) -> str:
        kept = "" if match.start() in dropped else match[0]
        pictures = flow.pop(keys[match.start()], None)
        if not pictures:
            return kept
        figures = []
        for src, alt, caption in pictures:
            if src in shown:
                continue
            caption = caption or found_captions.get(src, "")
            figcaption = f"<figcaption>{html_lib.escape(caption, quote=False)}</figcaption>" if caption else ""
            figures.append(f'<figure><img src="{html_lib.escape(src)}" alt="{html_lib.escape(alt)}">{figcaption}</figure>\n')
        return "".join(figures) + kept

    return _BLOCK.sub(place, body)


_DESCRIPTION_MIN_WORDS = 4  # an alt text shorter than this ("Foto", "Bild 1") describes nothing
# a block that is only a link to a picture file: a lightbox's "enlarge" control
_LONE_PICTURE_LINK = re.compile(
    r"""<a\b[^>]*\shref="[^"]+\.(?:jpe?g|png|gif|webp)(?:\?[^"]*)?"[^>]*>(?:(?!</a>)[^<]|<(?!/?a\b)[^>]*>){0,80}</a>""",
    re.IGNORECASE,
)


def _pictures_for_captions(body: str, captions: dict[str, str], url: str) -> str:
    """A caption trafilatura kept as a bare paragraph, its picture lost (galleries, slideshows),
    becomes its figure again: the picture the page showed with that caption, and the caption."""
    shown = {absolutize(src, url) for src in image_sources(body)}
    by_caption = {}
    for image_url, caption in captions.items():
        if image_url not in shown:
            by_caption.setdefault(_title_key(caption), (image_url, caption))
    if not by_caption:
        return body

    def figure(match: re.Match[str]) -> str:
        if match[1] != "p":
            return match[0]
        found = by_caption.pop(_title_key(html_lib.unescape(_TAG.sub("", match[2]))), None)
        if found is None:
            return match[0]
        image_url, caption = found
        return (
            f'<figure><img src="{html_lib.escape(image_url)}" alt="">'
            f"<figcaption>{html_lib.escape(caption, quote=False)}</figcaption></figure>\n"
        )

    return _BLOCK.sub(figure, body)
