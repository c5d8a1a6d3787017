"""clean: what survives sanitizing, how URLs, titles and fingerprints are normalized."""

from __future__ import annotations

import re

import pytest

from revue.crawl.clean import (
    absolutize,
    canonical_url,
    content_hash,
    html_to_text,
    sanitize_html,
    scrub_text,
    tidy_title,
)

BASE = "https://www.barlamane.test/politique/2024/05/article-42.html"
REL = 'rel="noopener noreferrer nofollow"'


def sanitize(html: str) -> str:
    return sanitize_html(html, BASE)


# --- XSS: nothing executable survives -----------------------------------------------------------

XSS_VECTORS = [
    '<script>alert("x")</script><p>texte</p>',
    '<SCRIPT SRC="https://evil.test/x.js"></SCRIPT><p>texte</p>',
    '<img src="photo.jpg" onerror="alert(1)">',
    '<p onclick="alert(1)" onmouseover="alert(2)">texte</p>',
    '<a href="javascript:alert(1)">lien</a>',
    '<a href="JaVaScRiPt:alert(1)">lien</a>',
    '<a href="jav&#x09;ascript:alert(1)">lien</a>',
    '<a href="jav&#x0A;ascript:alert(1)">lien</a>',
    '<a href="  javascript:alert(1)">lien</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">lien</a>',
    '<a href="vbscript:msgbox(1)">lien</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">lien</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<p style="background:url(javascript:alert(1))">texte</p>',
    '<style>body{background:url("javascript:alert(1)")}</style><p>texte</p>',
    '<iframe src="https://evil.test/"></iframe><p>texte</p>',
    '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    '<svg onload="alert(1)"><script>alert(2)</script></svg>',
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<math><mtext><a href="javascript:alert(1)">x</a></mtext></math>',
    '<object data="https://evil.test/x.swf"></object><embed src="https://evil.test/x.swf">',
    '<form action="https://evil.test/"><input name="password"><button>OK</button></form>',
    '<body onload="alert(1)"><p>texte</p></body>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//"><a href="x">lien</a>',
    '<link rel="stylesheet" href="https://evil.test/x.css">',
    '<p>texte</p><!--<script>alert(1)</script>-->',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    '<img src=x:alert(1) onerror=eval(src)>',
    '<a href="https://ok.test/" onfocus="alert(1)" autofocus>lien</a>',
]


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_sanitize_leaves_nothing_executable(vector):
    out = sanitize(vector).lower()
    for needle in ("<script", "javascript:", "vbscript:", "data:", "onerror", "onload", "onclick",
                   "onmouseover", "onfocus", "<iframe", "<svg", "<math", "<object", "<embed", "<form",
                   "<input", "<style", "style=", "<meta", "<base", "<link", "<!--", "srcdoc"):  # fmt: skip
        assert needle not in out, f"{needle!r} survived in {out!r}"


def test_sanitize_keeps_article_markup():
    html = (
        "<h2>Intertitre</h2><p>Un <strong>mot</strong>, un <em>autre</em>, <b>b</b> <i>i</i> <u>u</u> <s>s</s>"
        " <small>petit</small> H<sub>2</sub>O x<sup>2</sup> <code>code</code>.</p>"
        "<blockquote><p>Citation <q>courte</q> <cite>Auteur</cite></p></blockquote>"
        "<ul><li>un</li></ul><ol><li>deux</li></ol><pre>  pré  formaté</pre><hr>"
        '<figure><img src="https://cdn.test/a.jpg" alt="Alt" title="T" width="640" height="480">'
        "<figcaption>Légende</figcaption></figure>"
        '<table><caption>Tab</caption><thead><tr><th colspan="2">h</th></tr></thead>'
        '<tbody><tr><td rowspan="2">1</td><td>2</td></tr></tbody></table>'
    )
    out = sanitize(html)
    for kept in ("<h2>Intertitre</h2>", "<strong>mot</strong>", "<em>autre</em>", "<b>b</b>", "<i>i</i>",
                 "<u>u</u>", "<s>s</s>", "<small>petit</small>", "<sub>2</sub>", "<sup>2</sup>",
                 "<code>code</code>", "<blockquote>", "<q>courte</q>", "<cite>Auteur</cite>",
                 "<li>un</li>", "<ol>", "<pre>  pré  formaté</pre>", "<hr>", "<figure>",
                 "<figcaption>Légende</figcaption>", 'alt="Alt"', 'width="640"', 'height="480"',
                 "<caption>Tab</caption>", "<thead>", '<th colspan="2">h</th>', '<td rowspan="2">1</td>'):  # fmt: skip
        assert kept in out, f"{kept!r} missing from {out!r}"


def test_sanitize_strips_classes_ids_styles_and_unknown_tags_but_keeps_their_text():
    out = sanitize('<div class="entry" id="c"><span style="color:red" class="x">rouge</span> <font>vieux</font></div>')
    assert out == "rouge vieux"


def test_sanitize_demotes_h1_to_h2():
    assert sanitize("<h1>Grand titre</h1><p>texte</p>") == "<h2>Grand titre</h2><p>texte</p>"


def test_relative_urls_become_absolute():
    out = sanitize('<p><a href="/societe/">rubrique</a> <a href="../autre.html">autre</a>'
                   ' <a href="suite.html#p2">suite</a></p><img src="//cdn.barlamane.test/i.jpg">'
                   '<img src="img/photo.jpg">')  # fmt: skip
    assert 'href="https://www.barlamane.test/societe/"' in out
    assert 'href="https://www.barlamane.test/politique/2024/autre.html"' in out
    assert 'href="https://www.barlamane.test/politique/2024/05/suite.html#p2"' in out
    assert 'src="https://cdn.barlamane.test/i.jpg"' in out
    assert 'src="https://www.barlamane.test/politique/2024/05/img/photo.jpg"' in out


def test_without_a_base_relative_links_are_dropped_not_kept_relative():
    out = sanitize_html('<p><a href="/x">lien</a> <img src="i.jpg"> <a href="https://ok.test/">ok</a></p>', "")
    assert "/x" not in out and "<img" not in out
    assert out == f'<p>lien  <a href="https://ok.test/" {REL}>ok</a></p>'


@pytest.mark.parametrize("base", ["https://exa mple.test/", "https://ex.test:99999/", "https://xn--.test/", "http://[bad/", "/relative"])
def test_unusable_base_drops_relative_links_without_raising(base):
    assert sanitize_html('<p><a href="x">lien</a> <a href="https://ok.test/">ok</a></p>', base) == (
        f'<p>lien <a href="https://ok.test/" {REL}>ok</a></p>'
    )


def test_links_get_rel_and_no_target():
    out = sanitize('<a href="https://autre.test/p" target="_blank" rel="dofollow">o</a>')
    assert out == f'<a href="https://autre.test/p" {REL}>o</a>'


def test_links_without_href_are_unwrapped():
    assert sanitize('<p><a name="ancre">texte</a></p>') == "<p>texte</p>"


def attributes(tag: str) -> dict[str, str]:
    return dict(re.findall(r'(\w+)="([^"]*)"', tag))


def test_images_are_lazy_and_sized_only_with_numbers():
    out = sanitize('<img src="https://cdn.test/a.jpg" loading="eager" width="100%" height="300" alt="x">')
    assert out.startswith("<img ") and out.count("<") == 1
    assert attributes(out) == {"src": "https://cdn.test/a.jpg", "loading": "lazy", "height": "300", "alt": "x"}


def test_images_without_src_are_dropped():
    assert sanitize('<p>a<img alt="rien">b</p>') == "<p>ab</p>"


def test_empty_paragraphs_and_comments_go():
    out = sanitize("<p></p><p>   </p><p>&nbsp;</p><p><br></p><!-- pub --><p>texte</p><h3> </h3>")
    assert out == "<p>texte</p>"


def test_entities_stay_escaped():
    assert sanitize("<p>a &lt;b&gt; &amp; c</p>") == "<p>a &lt;b&gt; &amp; c</p>"


@pytest.mark.parametrize("html", [*XSS_VECTORS, "<p>a<p>b", "<table><tr><td>x</table>", "<li>orphelin",
                                  "<h1>t</h1><p><br></p>", '<a href="x">a<a href="y">b</a></a>',
                                  "<p>texte <b>gras <i>mêlé</b> fin</i></p>", "<figure><img src=a.jpg><p></figure>"])  # fmt: skip
def test_sanitize_is_idempotent(html):
    once = sanitize(html)
    assert sanitize(once) == once


@pytest.mark.parametrize("empty", [None, "", "   "])
def test_sanitize_empty(empty):
    assert sanitize_html(empty, BASE) == ""


def test_sanitize_survives_nul_and_lone_surrogates():
    assert sanitize("<p>a\x00b \ud800c</p>") == "<p>ab \ufffdc</p>"


# --- html_to_text -------------------------------------------------------------------------------


def test_html_to_text_paragraphs_and_entities():
    html = "<h2>Titre &amp; sous-titre</h2><p>Premier   paragraphe,\n sur deux lignes.</p><p>Second&nbsp;: «&#160;oui&#160;».</p>"
    assert html_to_text(html) == "Titre & sous-titre\n\nPremier paragraphe, sur deux lignes.\n\nSecond : « oui »."


def test_html_to_text_lists_tables_breaks_and_hidden_content():
    html = (
        "<p>ligne un<br>ligne deux</p><ul><li>a</li><li>b</li></ul>"
        "<table><tr><td>1</td><td>2</td></tr></table><script>var x=1;</script><style>p{}</style><!-- c -->"
    )
    assert html_to_text(html) == "ligne un\nligne deux\n\na\n\nb\n\n1 2"


def test_html_to_text_plain_text_and_empty():
    assert html_to_text("du texte  brut &eacute;") == "du texte brut é"
    assert html_to_text("") == html_to_text(None) == html_to_text("  \n ") == ""
    assert html_to_text("a < b > c") == "a < b > c"


# --- canonical_url ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://www.le360.test/politique/article?utm_source=facebook&utm_medium=social&utm_campaign=x",
            "https://www.le360.test/politique/article",
        ),
        ("https://ex.test/a?id=3&utm_source=rss&page=2&fbclid=AbC", "https://ex.test/a?id=3&page=2"),
        ("https://ex.test/a?b=2&a=1&c=3", "https://ex.test/a?b=2&a=1&c=3"),  # order kept
        ("https://ex.test/a#commentaires", "https://ex.test/a"),
        ("HTTPS://WWW.Example.TEST/Chemin/Casse", "https://www.example.test/Chemin/Casse"),
        ("http://ex.test:80/a", "http://ex.test/a"),
        ("https://ex.test:443/a", "https://ex.test/a"),
        ("https://ex.test:8443/a", "https://ex.test:8443/a"),
        ("https://ex.test", "https://ex.test/"),
        ("https://ex.test/a?gclid=1&dclid=2&msclkid=3&mc_cid=4&mc_eid=5&igshid=6&_ga=7&yclid=8", "https://ex.test/a"),
        ("https://ex.test/a?ref_src=twsrc&cmpid=x&xtor=RSS-3&at_medium=a&at_campaign=b&k=v", "https://ex.test/a?k=v"),
        ("https://ex.test/a?UTM_Source=x&q=1", "https://ex.test/a?q=1"),
        ("https://ex.test/a/./b/../c", "https://ex.test/a/c"),
        ("https://ex.test/%7efoo/%2f%e2%82%ac", "https://ex.test/~foo/%2F%E2%82%AC"),
        ("https://ex.test/été 2024?q=café", "https://ex.test/%C3%A9t%C3%A9%202024?q=caf%C3%A9"),
        ("https://bücher.test/", "https://xn--bcher-kva.test/"),
        ("  https://ex.test/a\n", "https://ex.test/a"),
        ("https://ex.test/search?q=a+b&x=", "https://ex.test/search?q=a+b&x="),
        ("http://[::1]:8000/a", "http://[::1]:8000/a"),
    ],
)
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


def test_canonical_url_is_idempotent():
    url = canonical_url("HTTP://Ex.TEST:80/a/../b c?utm_source=x&z=é#f")
    assert canonical_url(url) == url


@pytest.mark.parametrize("bad", ["", "   ", "/relative/path", "ftp://ex.test/f", "javascript:alert(1)",
                                 "mailto:a@ex.test", "http://", "https://ex.test:99999/", "not a url"])  # fmt: skip
def test_canonical_url_refuses_what_is_not_an_http_url(bad):
    with pytest.raises(ValueError, match=r"\S"):
        canonical_url(bad)


# --- absolutize ---------------------------------------------------------------------------------


def test_absolutize():
    assert absolutize("/img/a.jpg", BASE) == "https://www.barlamane.test/img/a.jpg"
    assert absolutize("//cdn.test/a.jpg", BASE) == "https://cdn.test/a.jpg"
    assert absolutize("https://autre.test/x", BASE) == "https://autre.test/x"
    assert absolutize(" a b.jpg ", BASE) == "https://www.barlamane.test/politique/2024/05/a%20b.jpg"
    assert absolutize("", BASE) == absolutize("x.jpg", "") == ""
    assert absolutize("jav\tascript:alert(1)", BASE) == ""
    assert absolutize("data:image/png;base64,AAAA", BASE) == ""


# --- tidy_title ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "outlet", "expected"),
    [
        ("Le gouvernement adopte le projet de loi - Barlamane", "Barlamane", "Le gouvernement adopte le projet de loi"),
        ("Mondial 2030 : les stades retenus | Le360", "Le360", "Mondial 2030 : les stades retenus"),
        ("Mondial 2030 : les stades retenus | le360", "Le 360", "Mondial 2030 : les stades retenus"),
        ("Réforme des retraites – Médias24", "Medias24", "Réforme des retraites"),
        ("Un titre :: Hespress FR", "hespress fr", "Un titre"),
        ("Un titre - barlamane.com", "Barlamane", "Un titre"),
        ("Pas la même source - Le360", "Barlamane", "Pas la même source - Le360"),
        ("Titre - Sous-titre - Barlamane", "Barlamane", "Titre - Sous-titre"),
        ("Un titre - Barlamane", "", "Un titre - Barlamane"),  # no outlet name: nothing guessed
        ("Barlamane", "Barlamane", "Barlamane"),  # never empties a title
        ("L&#039;&Eacute;t&eacute; &amp; l&rsquo;hiver", "", "L'Été & l’hiver"),
        ("Caf&amp;eacute; et th&amp;eacute;", "", "Café et thé"),  # escaped twice
        ("Un <b>titre</b> <em>important</em>", "", "Un titre important"),
        ("Un &lt;i&gt;titre&lt;/i&gt; échappé", "", "Un titre échappé"),
        ("  Un\n\ttitre \u00a0 espacé\u200b  ", "", "Un titre espacé"),
        ("[INTEGRAL] Discours royal", "", "[INTEGRAL] Discours royal"),
        ("« Citation » dit-il", "", "« Citation » dit-il"),
        ("a < b > c", "", "a < b > c"),
    ],
)
def test_tidy_title(title, outlet, expected):
    assert tidy_title(title, outlet) == expected


def test_tidy_title_empty():
    assert tidy_title("") == tidy_title(None) == ""


# --- content_hash -------------------------------------------------------------------------------


def test_content_hash_ignores_trivial_differences():
    a = content_hash("Le Maroc  et l'Espagne signent un accord.\n\nDeuxième paragraphe !")
    b = content_hash("le maroc et l’espagne signent un accord deuxième paragraphe")
    c = content_hash("ＬＥ ＭＡＲＯＣ et l'Espagne, signent un accord...   Deuxième paragraphe")
    assert a == b == c
    assert re.fullmatch(r"[0-9a-f]{64}", a)


def test_content_hash_ignores_arabic_diacritics_and_tatweel():
    assert content_hash("المغرب يوقّع اتفاقاً") == content_hash("المغـــرب يوقع اتفاقا")


def test_content_hash_differs_for_different_text():
    assert content_hash("Le Maroc signe un accord") != content_hash("Le Maroc refuse un accord")


def test_scrub_text():
    assert scrub_text("a\x00b\ud800") == "ab\ufffd"
    assert scrub_text("ok") == "ok"
