"""revue.html.images: the one reader and rewriter of article images (lxml).

What it must keep: sanitized HTML (nh3's canonical output) comes back byte for byte but for the
images edited; an HTML it did not edit comes back as the same string; tags are read as a browser
reads them (upper case, ``>`` inside quotes, entities, ``<img/src=…>``, ``<image>``); and, on any
input at all, it never raises and no image leaves with a source it was not given (hypothesis).
"""

from __future__ import annotations

import re

import lxml.html
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from revue.crawl.clean import sanitize_html
from revue.html.images import FoundImage, has_images, image_sources, read_images, rewrite_images

pytestmark = pytest.mark.nodb
PROXIED = "https://revue.test/img/1"

BODY = sanitize_html(
    "<h2>Le port</h2>\n<p>Texte « riche » &amp; <em>varié</em>,&nbsp;avec <a href='https://a.test/x?y=1&z=2'>un lien</a>.</p>\n"
    "<figure><img src='https://cdn.test/a.jpg?w=1&h=2' alt='Le quai > la mer' width=640 height=480>"
    "<figcaption>Le quai.</figcaption></figure>\n"
    "<p><a href='https://cdn.test/big.jpg'> <img src='https://cdn.test/b.jpg' alt=''> </a></p>\n"
    "<table><tr><td>1</td><td>&lt;2&gt;</td></tr></table>\n<pre>code\n  indenté</pre>\n<ul><li>un</li><li>deux</li></ul>",
    "https://site.test/article",
)


def proxy_all(image) -> None:
    image.set_attributes([(name, PROXIED if name == "src" else value) for name, value in image.attributes])


def test_the_sample_is_nh3s_canonical_output():
    assert sanitize_html(BODY, "https://site.test/article") == BODY
    assert 'alt="Le quai &gt; la mer"' in BODY and "&nbsp;" in BODY and "&amp;h=2" in BODY


def test_only_the_edited_images_change_the_rest_is_kept_byte_for_byte():
    out = rewrite_images(BODY, proxy_all)
    assert out == BODY.replace("https://cdn.test/a.jpg?w=1&amp;h=2", PROXIED).replace("https://cdn.test/b.jpg", PROXIED)


def test_markup_around_images_written_as_nh3_writes_them_is_kept_as_it_is():
    html = "<P class='x'>Texte &eacute;</P>\n<p><img src=\"https://x.test/a.jpg\" alt=\"\"></p>"
    assert rewrite_images(html, proxy_all) == html.replace("https://x.test/a.jpg", PROXIED)
    other = "<P class='x'>Texte &eacute;</P>\n<p><img src='https://x.test/a.jpg'></p>"  # the image not as nh3 writes it
    assert rewrite_images(other, proxy_all) == f'<p class="x">Texte é</p>\n<p><img src="{PROXIED}"></p>'


def test_an_html_left_unedited_is_the_same_string():
    html = "<p>Texte</p><IMG SRC='https://x.test/a.jpg' ALT=x>"
    assert rewrite_images(html, lambda image: None) is html
    no_image = "<p>Rien à voir</p>"
    assert rewrite_images(no_image, proxy_all) is no_image and not has_images(no_image)


@pytest.mark.parametrize("html", [
    "<IMG SRC='https://x.test/a.jpg'>",
    '<img alt="a > b" src="https://x.test/a.jpg">',
    "<img/src=https://x.test/a.jpg>",
    '<img\nsrc = "https://x.test/a.jpg"\n>',
    "<image src=https://x.test/a.jpg>",  # a browser's parser reads it as <img>
    "<p><b><img src=https://x.test/a.jpg></p></b>",
])  # fmt: skip
def test_tags_are_read_as_a_browser_reads_them(html):
    assert image_sources(html) == ["https://x.test/a.jpg"]
    out = rewrite_images(html, proxy_all)
    assert image_sources(out) == [PROXIED] and "x.test" not in out


def test_sources_are_decoded_and_listed_in_order():
    html = '<p><img src="https://x.test/a.jpg?x=1&amp;y=2"><img alt="sans source"><img src="https://x.test/&#233;.jpg"></p>'
    assert image_sources(html) == ["https://x.test/a.jpg?x=1&y=2", "https://x.test/é.jpg"]
    assert image_sources("") == [] and image_sources(None) == []


def test_read_images_tells_sizes_and_lone_links():
    html = ('<p><a href="https://l.test/?a=1&amp;b=2"><img src="https://x.test/a.jpg" width="640" height="480"></a>'
            '<img alt="sans source"></p>')
    assert read_images(html) == [
        FoundImage(src="https://x.test/a.jpg", alt="", width="640", height="480", link="https://l.test/?a=1&b=2"),
        FoundImage(src="", alt="sans source", width="", height="", link=""),
    ]


def test_an_image_can_be_wrapped_in_its_own_tag():
    html = '<p>a</p><img src="https://x.test/a.jpg?x=1&amp;y=2" alt="A"><p>b</p>'
    out = rewrite_images(html, lambda image: image.replace(f"<figure>{image.tag}<figcaption>C</figcaption></figure>"))
    assert out == '<p>a</p><figure><img src="https://x.test/a.jpg?x=1&amp;y=2" alt="A"><figcaption>C</figcaption></figure><p>b</p>'


def test_what_an_image_tells():
    seen = []
    html = '<p>x <a href="https://l.test/"> <img src="https://x.test/a.jpg" alt="A" width="10" height="20"> </a></p>'
    rewrite_images(html, lambda image: seen.append((image.src, image.alt, image.width, image.height, image.link.get("href"))))
    assert seen == [("https://x.test/a.jpg", "A", "10", "20", "https://l.test/")]


@pytest.mark.parametrize("html", [
    '<p><a href="https://l.test/">voir <img src="https://x.test/a.jpg"></a></p>',
    '<p><a href="https://l.test/"><img src="https://x.test/a.jpg"> et</a></p>',
    '<p><a href="https://l.test/"><img src="https://x.test/a.jpg"><b>x</b></a></p>',
    '<p><span><img src="https://x.test/a.jpg"></span></p>',
])  # fmt: skip
def test_a_link_that_holds_more_than_the_image_is_not_its_link(html):
    links = []
    rewrite_images(html, lambda image: links.append(image.link))
    assert links == [None]


def test_replace_shown_takes_the_lone_link_and_insert_after_goes_after_it():
    html = '<p>a <a href="https://l.test/"><img src="https://x.test/1.jpg"></a> b <img src="https://x.test/2.jpg"> c</p>'

    def edit(image):
        if image.src.endswith("1.jpg"):
            image.replace_shown("<span>retirée</span>")
        else:
            image.insert_after("<button>!</button>")

    assert rewrite_images(html, edit) == '<p>a <span>retirée</span> b <img src="https://x.test/2.jpg"><button>!</button> c</p>'
    shown = rewrite_images(html, lambda image: image.insert_after("<i>!</i>"))
    assert shown == '<p>a <a href="https://l.test/"><img src="https://x.test/1.jpg"></a><i>!</i> b <img src="https://x.test/2.jpg"><i>!</i> c</p>'


def test_replace_keeps_the_link_and_drop_keeps_the_text_around():
    html = '<p>a <a href="https://l.test/"><img src="https://x.test/1.jpg"></a> b<img src="https://x.test/2.jpg">c</p>'
    assert rewrite_images(html, lambda image: image.replace("")) == '<p>a <a href="https://l.test/"></a> bc</p>'


def test_set_attributes_writes_them_in_the_order_given_escaped():
    html = '<p><img src="https://x.test/a.jpg" alt="x"></p>'
    out = rewrite_images(html, lambda image: image.set_attributes([("data-id", "7"), ("src", 'a"b&c<d'), ("alt", "x")]))
    assert out == '<p><img data-id="7" src="a&quot;b&amp;c&lt;d" alt="x"></p>'


def test_a_fragment_cut_inside_a_tag_never_runs_into_the_page_around_it():
    assert rewrite_images('<p>a</p><img src="https://x.test/a.jpg" alt="', lambda image: None) == "<p>a</p>"
    assert rewrite_images('<p>a</p><img src="https://x.test/a.jpg', proxy_all) == "<p>a</p>"
    assert rewrite_images("<p>a<style><img src=https://x.test/a.jpg>", proxy_all) == (
        "<p>a<style>&lt;img src=https://x.test/a.jpg&gt;</style></p>"
    )


def test_what_follows_an_end_of_body_is_still_read():
    out = rewrite_images("<img src=https://x.test/a.jpg></body><img src=https://x.test/b.jpg>", proxy_all)
    assert image_sources(out) == [PROXIED, PROXIED]
    assert image_sources(rewrite_images("<img src=x></html><img src=https://x.test/b.jpg>", proxy_all)) in ([], [PROXIED])


@pytest.mark.parametrize("html", [
    '<noscript><p title="</noscript><img src=https://x.test/a.jpg>"></noscript>',  # raw text where scripts run
    "<math><mi><mglyph><style><img src=https://x.test/a.jpg></style></mglyph></mi></math>",  # no raw text there
    "<svg><style><img src=https://x.test/a.jpg></style></svg><p>x</p>",
])  # fmt: skip
def test_what_lxml_reads_otherwise_than_a_browser_is_written_anew_with_nothing_hidden(html):
    out = rewrite_images(html + '<img src="https://x.test/b.jpg">', proxy_all)
    assert "x.test" not in out.replace("&lt;img src=https://x.test/a.jpg&gt;", "")
    assert "<img src=https://x.test/a.jpg>" not in out


def test_unreadable_input_never_raises():
    for html in ["<img src=x>\x00\ud800", "<img src='\x01'>", "<img " * 2000, "<b>" * 5000 + "<img src=x>"]:
        out = rewrite_images(html, proxy_all)
        assert all(src == PROXIED for src in image_sources(out))


# --- any input: no exception, no image with a source it was not given ------------------------------

PIECES = [
    "<img", "<IMG", "<image", "<img/", " src=", " SRC=", "src", "=", '"', "'", ">", "/>", "<", "</", "<a href=x>", "</a>",
    "<p>", "</p>", "<!--", "-->", "--!>", "<!", "<?", "<![CDATA[", "]]>", "&amp;", "&quot;", "&gt;", "&#62;", "&",
    "https://x.test/a.jpg", "javascript:alert(1)", " ", "\n", "\t", "\x00", "\ud800", "<style>", "</style>",
    "<textarea>", "<title>", "<script>", "</script>", "<svg>", "<math>", "<table>", "<td>", "<select>", "<noscript>",
    "<plaintext>", "<xmp>", "</body>", "</html>", "<template>", "alt=", "srcset=", "<a<img", '"x=1', "é", "\xa0",
    '<img src="https://x.test/a.jpg" loading="lazy">', '<a href="https://l.test/">', '<img alt="x">',  # as nh3 writes
]  # fmt: skip
hostile = st.one_of(st.lists(st.sampled_from(PIECES) | st.text(max_size=6), max_size=30).map("".join), st.text())
_TAG = re.compile(r"<img(?=[\s/>])[^>]*>", re.IGNORECASE)


def _images_lxml_sees(html: str) -> list:
    if not html.strip():
        return []
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except Exception:  # lxml refuses the string itself (NUL): rewrite_images scrubs it before reading
        return []
    return list(root.iter("img", "image"))


EDITS = {
    "proxy": proxy_all,
    "drop": lambda image: image.replace(""),
    "drop shown": lambda image: image.replace_shown("<span>retirée</span>"),
    "proxy and add": lambda image: (proxy_all(image), image.insert_after("<button>!</button>")),
}


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html=hostile, edit=st.sampled_from(sorted(EDITS)))
@example(html="<img src='https://x.test/a.jpg' alt='", edit="proxy")
@example(html="<img a=x'y b=\"c>'d>", edit="proxy")
@example(html="<a<img src=https://x.test/a.jpg>", edit="drop")
@example(html="<image0 src=", edit="drop")
@example(html='<img src="https://x.test/a.jpg" loading="lazy"><!\x08', edit="drop")
@example(html="<img/\x1f=", edit="drop")
@example(html='<img</body><img src="https://x.test/a.jpg" loading="lazy">', edit="drop")
@example(html='<textarea><img src="https://x.test/a.jpg"></textarea><image src="https://x.test/a.jpg">', edit="proxy")
def test_any_input_no_exception_and_no_image_left_with_its_own_source(html, edit):
    out = rewrite_images(html, EDITS[edit])
    assert isinstance(out, str)
    for image in _images_lxml_sees(out):
        assert image.get("src") in (None, PROXIED), out
    if out is not html:  # written by the serialiser: every "<img" in it is a tag it wrote
        for tag in _TAG.findall(out):
            assert not re.search(r"\ssrc=", tag) or f'src="{PROXIED}"' in tag, out
        assert not re.search(r"<image[\s/>]", out, re.IGNORECASE), out
    image_sources(html)
    read_images(html)
