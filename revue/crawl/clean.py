"""Clean every piece of outside content before Revue stores or shows it.

Pure functions, no ORM and no network:

* ``sanitize_html`` — the one gate for outside HTML (nh3, i.e. Rust's ammonia): only article
  markup survives, URLs are made absolute against the page, links get
  ``rel="noopener noreferrer nofollow"``, images ``loading="lazy"``. Idempotent.
* ``html_to_text`` — plain text, paragraphs separated by a blank line. Never raises: markup
  lxml cannot read (a whole ``<html>`` without a body, as hostile feeds send) falls back to
  tag-stripped text.
* ``canonical_url`` — one spelling per article URL (tracking parameters stripped); raises
  ``ValueError`` with a message for anything that is not an absolute http(s) URL.
* ``absolutize`` — a possibly relative link resolved against a page, "" when unsafe.
* ``upgrade_to_https`` / ``secure_url`` — http links and images made https on the hosts known
  to serve it (``https_hosts``: the outlet's own, when its article URL is https).
* ``tidy_title`` — entities decoded (even twice-escaped ones), tags dropped, the outlet's own
  name dropped from the end ("Titre - Barlamane").
* ``content_hash`` — a fingerprint that ignores case, spacing and punctuation.
* ``scrub_text`` — NULs, the other control characters XML forbids and lone surrogates out, so
  no parser refuses a whole page for them.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import re
import unicodedata
from functools import lru_cache
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.html
import nh3
from lxml import etree

from revue.html.images import Image, rewrite_images

# --- text hygiene -------------------------------------------------------------------------------


# characters XML 1.0 forbids (C0 controls but tab and line ends, U+FFFE, U+FFFF): lxml refuses a
# string that holds one (a JSON Feed may carry "\b" in its HTML), and they mean nothing in text
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def scrub_text(text: str) -> str:
    """Text every parser accepts: NULs and the other control characters XML forbids removed,
    lone surrogates (left by a bad decode upstream) replaced by U+FFFD — any of them would make
    lxml or nh3 refuse the whole input."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return _NOT_XML.sub("", text)


# --- sanitize_html ------------------------------------------------------------------------------

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "h1", "h2", "h3", "h4", "h5", "h6",
        "strong", "b", "em", "i", "u", "s", "small", "sup", "sub",
        "blockquote", "q", "cite", "pre", "code", "hr",
        "ul", "ol", "li",
        "a", "img", "figure", "figcaption",
        "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
    }
)  # fmt: skip
# Elements whose whole content goes, not just the tag (an iframe's fallback text, a form's
# buttons and an inline SVG's icon labels are not article text).
DROPPED_WITH_CONTENT = frozenset(
    {
        "script", "style", "iframe", "frame", "frameset", "noframes", "noscript", "noembed",
        "object", "embed", "applet", "template", "title", "textarea", "select", "button",
        "svg", "math", "canvas", "audio", "video", "head", "xmp",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"
_NUMERIC_ATTRIBUTES = frozenset({"width", "height", "colspan", "rowspan"})

_EMPTY_BLOCK = re.compile(r"<(p|h[1-6]|li|figcaption)>(?:\s|&nbsp;|<br>)*</\1>")
_HREFLESS_LINK = re.compile(r'<a rel="[^"]*">(.*?)</a>', re.DOTALL)
_H1 = re.compile(r"<(/?)h1>")
_PRE_NEWLINES = re.compile(r"<pre>\n+")  # a parser drops the first newline after <pre>
_MAX_PASSES = 4


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """nh3 callback: keep numeric sizes numeric, images on http(s), drop blank values."""
    value = value.strip()
    if not value:
        return None
    if attribute in _NUMERIC_ATTRIBUTES:
        return value if value.isdigit() and len(value) <= 5 else None
    if tag == "img" and attribute == "src" and value.lower().startswith(("mailto:", "data:")):
        return None
    return value


@lru_cache(maxsize=256)
def _cleaner(base_url: str) -> nh3.Cleaner:
    """One nh3 cleaner per page base: ammonia rewrites relative URLs against it (WHATWG
    rules), or drops them when there is no base. Absolute URLs pass unchanged, so a second
    pass is a no-op. Note: ammonia does not re-check what ``attribute_filter`` returns, so the
    filter only ever removes or narrows values, never builds URLs."""
    relative: object = ("rewrite_with_base", base_url) if base_url else "deny"
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_filter_attribute,
        strip_comments=True,
        link_rel=LINK_REL,
        set_tag_attribute_values={"img": {"loading": "lazy"}},
        url_schemes=set(URL_SCHEMES),
        url_relative=relative,  # type: ignore[arg-type]
    )


def _drop_if_srcless(image: Image) -> None:
    if not image.src:  # nh3 removed a relative, data: or blank one: nothing left to show
        image.replace("")


def _tidy_markup(cleaned: str) -> str:
    """Post-process nh3's (canonical) output: demote h1, drop empty blocks and dead tags."""
    cleaned = _H1.sub(r"<\1h2>", cleaned)
    cleaned = _PRE_NEWLINES.sub("<pre>", cleaned)
    cleaned = rewrite_images(cleaned, _drop_if_srcless)
    cleaned = _HREFLESS_LINK.sub(r"\1", cleaned)
    previous = None
    while previous != cleaned:
        previous, cleaned = cleaned, _EMPTY_BLOCK.sub("", cleaned)
    return cleaned.strip()


def sanitize_html(html: str | None, base_url: str = "") -> str:
    """Outside HTML reduced to safe article markup, with absolute URLs.

    Relative ``href``/``src`` are resolved against ``base_url``; when there is no usable base
    they are dropped (a relative link in stored content would point into the portal).
    ``sanitize_html(sanitize_html(x, b), b) == sanitize_html(x, b)``.
    """
    if not html:
        return ""
    base = absolutize(base_url or "", "")  # "" unless an absolute http(s) URL
    try:
        cleaner = _cleaner(base)
    except ValueError:  # a base Python accepts but the WHATWG parser does not (bad port, host)
        cleaner = _cleaner("")
    # Re-parsing serialized HTML is not always a no-op (a newline after <pre>, misnested <a>,
    # our own tidying), so run to the fixpoint: already-clean input costs one pass, the rest two.
    previous, current = None, scrub_text(html)
    for _ in range(_MAX_PASSES):
        previous, current = current, _tidy_markup(cleaner.clean(current))
        if current == previous:
            break
    return current


# --- html_to_text -------------------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    {
        "p", "div", "section", "article", "main", "header", "footer", "aside", "nav",
        "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "ul", "ol", "li", "dl", "dt",
        "dd", "figure", "figcaption", "table", "caption", "tr", "hr", "address", "details",
        "summary", "form", "fieldset", "body", "html",
    }
)  # fmt: skip
_CELL_TAGS = frozenset({"td", "th"})
_INVISIBLE_TAGS = ("script", "style", "noscript", "template", "head", "title", "iframe", "svg")
_PARAGRAPH = "\u2029"  # marks a paragraph break while whitespace is collapsed
_LINE = "\u2028"  # marks a <br>
_TAG = re.compile(r"<[^>]*>")
_INVISIBLE_CONTENT = re.compile(r"<(script|style|noscript|template|title|iframe|svg)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


def _mark_breaks(root: etree._Element) -> None:
    for element in root.iter(etree.Element):
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _BLOCK_TAGS:
            element.text = _PARAGRAPH + (element.text or "")
            element.tail = _PARAGRAPH + (element.tail or "")
        elif tag == "br":
            element.tail = _LINE + (element.tail or "")
        elif tag in _CELL_TAGS:
            element.tail = " " + (element.tail or "")


def _fragment(html: str) -> etree._Element:
    return lxml.html.fragment_fromstring(html, create_parent="div")


def _parse_fragment(html: str) -> etree._Element | None:
    """lxml's tree of outside HTML, or None when lxml cannot read it at all.

    A fragment that is a document without a body (``<html></html>``, ``<html><head></head>
    </html>``, as hostile feeds send) fails an assertion inside ``fragment_fromstring``
    (lxml 6); the document parser reads those. Whatever lxml raises on hostile input
    (``AssertionError``, ``ParserError``, ``ValueError`` …) must not escape: one entry's text
    never takes its feed down."""
    for parse in (_fragment, lxml.html.document_fromstring):
        try:
            return parse(html)
        except Exception:  # noqa: BLE001 — the next reading, else the tag-stripped text
            continue
    return None


def _stripped_text(html: str) -> str:
    """The text of markup lxml could not read: invisible elements and tags dropped, entities decoded."""
    return html_lib.unescape(_TAG.sub(" ", _INVISIBLE_CONTENT.sub(" ", html)))


def _raw_text(html: str) -> str:
    """The text of an HTML fragment with break markers, or tag-stripped text on parser failure."""
    root = _parse_fragment(html)
    if root is None:
        return _stripped_text(html)
    try:
        etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, *_INVISIBLE_TAGS, with_tail=False)
        _mark_breaks(root)
        return root.text_content()
    except Exception:  # noqa: BLE001 — a tree lxml built but will not edit: the tag-stripped text
        return _stripped_text(html)


def html_to_text(html: str | None) -> str:
    """Plain text of an HTML fragment: entities decoded, whitespace collapsed, paragraphs
    separated by a blank line and ``<br>`` kept as a single newline. Plain text passes through."""
    if not html or not html.strip():
        return ""
    raw = _raw_text(scrub_text(html))
    paragraphs = []
    for block in raw.split(_PARAGRAPH):
        lines = (" ".join(line.split()) for line in block.split(_LINE))
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)


# --- URLs ---------------------------------------------------------------------------------------

TRACKING_PARAMETERS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
        "ttclid", "li_fat_id", "igshid", "igsh", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc",
        "_hsmi", "mkt_tok", "ref_src", "ref_url", "cmpid", "xtor", "xtref", "at_medium",
        "at_campaign", "at_platform", "at_send_date", "at_creation", "at_recipient_id",
        "at_recipient_list", "at_link", "at_ptr_name", "at_source", "oly_anon_id",
        "oly_enc_id", "vero_id", "vero_conv", "wickedid", "s_cid", "sr_share", "ncid",
        "__twitter_impression",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")
DEFAULT_PORTS = {"http": 80, "https": 443}
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PERCENT_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_CONTROL = re.compile(r"[\x00-\x20\x7f]")
_TAB_NEWLINE = re.compile(r"[\t\n\r]")
# everything a URL may carry literally (RFC 3986 reserved + unreserved + "%"); the rest is escaped
_URL_SAFE = frozenset(_UNRESERVED | set(":/?#[]@!$&'()*+,;=%"))


def _normalize_escapes(part: str) -> str:
    """Percent-encoding made canonical: unreserved characters decoded, hex upper-cased, and
    characters that must be escaped (spaces, non-ASCII) escaped as UTF-8. Reserved escapes
    such as ``%2F`` stay escaped: decoding them could change what the URL means."""

    def decode_unreserved(match: re.Match[str]) -> str:
        char = chr(int(match[1], 16))
        return char if char in _UNRESERVED else "%" + match[1].upper()

    part = _PERCENT_ESCAPE.sub(decode_unreserved, part)
    out = []
    for index, char in enumerate(part):
        if char == "%" and not _PERCENT_ESCAPE.match(part, index):
            out.append("%25")
        elif char in _URL_SAFE:
            out.append(char)
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8"))
    return "".join(out)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4: ``/a/./b/../c`` → ``/a/c``."""
    if "." not in path:
        return path
    output: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if len(output) > 1:
                output.pop()
        elif segment != ".":
            output.append(segment)
    if path.endswith(("/.", "/..")):
        output.append("")
    return "/".join(output) or "/"


def _is_tracking(parameter: str) -> bool:
    name = _PERCENT_ESCAPE.sub(lambda m: chr(int(m[1], 16)), parameter.split("=", 1)[0]).strip().lower()
    return name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES)


def _canonical_query(query: str) -> str:
    kept = [_normalize_escapes(p) for p in query.split("&") if p and not _is_tracking(p)]
    return "&".join(kept)


def _canonical_host(hostname: str) -> str:
    if hostname.startswith("[") or ":" in hostname:  # IPv6 literal
        return f"[{hostname.strip('[]')}]"
    host = hostname.rstrip(".")
    if not host or ".." in host:
        raise ValueError(f"not a valid host name: {hostname!r}")
    try:
        return host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise ValueError(f"not a valid host name: {hostname!r}") from exc


def canonical_url(url: str) -> str:
    """One spelling for an article URL.

    Lower-cases scheme and host (IDNA-encoded), drops the default port, the fragment and the
    tracking parameters (``utm_*``, ``fbclid``, ``xtor`` …), keeps the other parameters in
    their order, normalizes percent-encoding and dot segments; an empty path becomes ``/``.

    Raises ``ValueError`` (with a message saying why) when ``url`` is not an absolute
    http(s) URL with a host — callers decide whether to skip the entry or keep the raw link.
    """
    raw = _TAB_NEWLINE.sub("", scrub_text(url or "").strip())
    if not raw:
        raise ValueError("empty URL")
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"not a valid URL: {url!r} ({exc})") from exc
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError(f"not an http(s) URL: {url!r}")
    if not parts.hostname:
        raise ValueError(f"URL without a host: {url!r}")
    netloc = _canonical_host(parts.hostname)
    if port is not None and port != DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    if "@" in parts.netloc:
        netloc = f"{parts.netloc.rsplit('@', 1)[0]}@{netloc}"
    path = _remove_dot_segments(_normalize_escapes(parts.path or "/"))
    return urlunsplit((scheme, netloc, path, _canonical_query(parts.query), ""))


def absolutize(url: str, base_url: str) -> str:
    """``url`` resolved against ``base_url``: an absolute http(s) URL, or "" when ``url`` is
    empty, unresolvable or of another scheme (``javascript:``, ``data:`` …).

    Tabs, newlines and other control characters are removed first, as browsers do, so an
    obfuscated ``jav\\tascript:`` is recognized for what it is. Nothing else is normalized.
    """
    url = _CONTROL.sub(lambda m: "%20" if m[0] == " " else "", (url or "").strip())
    if not url:
        return ""
    base = _CONTROL.sub("", (base_url or "").strip())
    try:
        joined = urljoin(base, url) if base else url
        parts = urlsplit(joined)
    except ValueError:
        return ""
    if parts.scheme.lower() not in DEFAULT_PORTS or not parts.netloc:
        return ""
    return joined


# --- https where the outlet serves it -----------------------------------------------------------

# an absolute http:// URL in a src or href attribute of sanitized HTML (nh3 writes double quotes);
# a URL with a port is left alone: https on that port is another service
_HTTP_ATTRIBUTE = re.compile(r'(\s(?:src|href)=")http://([A-Za-z0-9.-]+)(?=[/"?#])')


def https_hosts(*urls: str) -> frozenset[str]:
    """Hosts known to serve https: those of the https URLs given, with their ``www.`` twin."""
    hosts = set()
    for url in urls:
        try:
            parts = urlsplit(url or "")
        except ValueError:
            continue
        if parts.scheme == "https" and parts.hostname:
            bare = parts.hostname.lower().removeprefix("www.")
            hosts |= {bare, f"www.{bare}"}
    return frozenset(hosts)


def secure_url(url: str, hosts: frozenset[str]) -> str:
    """``url`` with ``http://`` made ``https://`` when its host is one of ``hosts``."""
    try:
        parts = urlsplit(url or "")
        port = parts.port
    except ValueError:  # a port out of range is read lazily, and refused only then
        return url
    if parts.scheme == "http" and port is None and (parts.hostname or "") in hosts:
        return "https://" + url[len("http://") :]
    return url


def upgrade_to_https(html: str, hosts: frozenset[str]) -> str:
    """Sanitized HTML whose links and images on ``hosts`` use https (no mixed content, no
    downgrade); links and images elsewhere are left as the outlet wrote them."""
    if not html or not hosts or "http://" not in html:
        return html
    return _HTTP_ATTRIBUTE.sub(lambda m: f"{m[1]}https://{m[2]}" if m[2].lower() in hosts else m[0], html)


# --- titles -------------------------------------------------------------------------------------

TITLE_SEPARATORS = (" - ", " | ", " – ", " — ", " :: ", " · ", " • ", " » ")
_TITLE_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060\ufeff\u00ad]")
_TLD = re.compile(r"\.[a-z]{2,6}$")


def _unescape(text: str) -> str:
    """Decode HTML entities, twice-escaped ones too (``&amp;eacute;`` → ``é``)."""
    for _ in range(3):
        if "&" not in text:
            break
        decoded = html_lib.unescape(text)
        if decoded == text:
            break
        text = decoded
    return text


def _name_key(name: str) -> str:
    """A site name reduced for comparison: no accents, case, spaces, ``www.`` or TLD."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    folded = folded.casefold().strip().removeprefix("www.")
    folded = _TLD.sub("", folded)
    return "".join(c for c in folded if c.isalnum())


def _drop_outlet_suffix(title: str, outlet_name: str) -> str:
    outlet_key = _name_key(outlet_name)
    if not outlet_key:
        return title
    for separator in TITLE_SEPARATORS:
        head, found, tail = title.rpartition(separator)
        if found and head.strip() and _name_key(tail) == outlet_key:
            return head.strip()
    return title


def tidy_title(title: str | None, outlet_name: str = "") -> str:
    """A headline as readers should see it.

    Entities decoded (twice-escaped ones too), tags removed, whitespace collapsed, and a
    trailing `` - Outlet`` / `` | Outlet`` / `` – Outlet`` / `` :: Outlet`` dropped when it
    names ``outlet_name`` (compared without case, accents, spaces or TLD). Without an
    outlet name nothing is dropped: guessing would cut real headlines. Markers such as
    "[INTEGRAL]" are kept for later stages to judge.
    """
    if not title:
        return ""
    text = _TITLE_TAG.sub(" ", _unescape(_TITLE_TAG.sub(" ", scrub_text(title))))
    text = " ".join(_INVISIBLE.sub("", text).split())
    return _drop_outlet_suffix(text, _unescape(outlet_name or ""))


# --- fingerprints -------------------------------------------------------------------------------


class _HashFolding(dict):
    """``str.translate`` table, filled on first sight of each character: format marks, combining
    marks and tatweel vanish, punctuation and separators become spaces, the rest stays."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        category = unicodedata.category(char)
        if category in ("Cf", "Mn") or char == "\u0640":
            folded = ""
        elif category[0] in "PZ":
            folded = " "
        else:
            folded = char
        self[code] = folded
        return folded


_HASH_FOLDING = _HashFolding()


def _hash_normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(text.translate(_HASH_FOLDING).split())


def content_hash(text: str | None) -> str:
    """SHA-256 (hex) of the text with case, Unicode form, punctuation and spacing ignored, so
    copies that differ only in those hash the same."""
    return hashlib.sha256(_hash_normalize(scrub_text(text or "")).encode("utf-8")).hexdigest()
