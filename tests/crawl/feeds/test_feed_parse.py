"""revue.crawl.feeds.parse on real feed files: one test per file, asserting what a reader sees.

The files in data/ were written for these tests (see each one for what it exercises).
"""

from __future__ import annotations

import gzip
from datetime import datetime, timezone
from pathlib import Path

import pytest

from revue.crawl.feeds import Enclosure, FeedParseError, ParsedFeed, parse
from revue.crawl.feeds import fast as fast_path
from revue.crawl.feeds import triage

DATA = Path(__file__).parent / "data"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def parse_file(name: str, url: str | None = None, **options) -> ParsedFeed:
    return parse((DATA / name).read_bytes(), url or f"https://feeds.example.net/{name}", **options)


def refusal(name: str) -> str:
    with pytest.raises(FeedParseError) as caught:
        parse_file(name)
    return str(caught.value)


# ----------------------------------------------------------------- the formats


def test_rss20_with_content_media_and_enclosures():
    feed = parse_file("rss20_full.xml")
    assert (feed.parser, feed.format) == ("fastfeedparser", "rss")
    assert feed.title == "Le Quotidien de l’Atlas"
    assert feed.link == "https://www.quotidien-atlas.ma/"
    assert feed.language == "fr"
    assert feed.ttl_minutes == 30
    first, second, third = feed.entries

    assert first.guid == "qa-10421"
    assert first.title == "L’économie marocaine accélère au premier trimestre"
    assert first.link == "https://www.quotidien-atlas.ma/economie/2022/05/20/croissance-premier-trimestre/"
    assert first.published_at == utc(2022, 5, 20, 7, 30)
    assert first.author == "Salma Benali"
    assert first.categories == ("Économie", "Maroc")
    assert first.summary == "<p>La croissance atteint <b>3,2 %</b> selon le HCP.</p>"
    assert first.content.startswith("<p>La croissance atteint <b>3,2 %</b> selon le Haut-Commissariat")
    assert 'src="https://cdn.quotidien-atlas.ma/2022/05/port.jpg"' in first.content
    assert first.image_url == "https://cdn.quotidien-atlas.ma/2022/05/croissance-1200.jpg"
    assert first.enclosures == (
        Enclosure("https://cdn.quotidien-atlas.ma/2022/05/croissance-600.jpg", "image/jpeg", 48213),
    )

    assert second.title == "Casablanca : le tramway prolongé jusqu'à Sidi Moumen"
    assert second.guid == "https://www.quotidien-atlas.ma/?p=10422"
    assert second.author == "La rédaction"  # "email (Name)" as RSS writes it
    assert second.content == ""  # the feed gives only a description
    assert second.summary.startswith("Les travaux s&#8217;achèveront en 2024 &amp; le service")
    assert second.image_url == "https://cdn.quotidien-atlas.ma/2022/05/tram-thumb.jpg"
    assert second.enclosures == (
        Enclosure("https://cdn.quotidien-atlas.ma/podcasts/tram.mp3", "audio/mpeg", 5242880),
    )

    # A video's poster is the lead image, not the video; a non-numeric length is dropped.
    assert third.image_url == "https://cdn.quotidien-atlas.ma/video/coupe-poster.jpg"
    assert third.enclosures == (Enclosure("https://cdn.quotidien-atlas.ma/video/coupe.mp4", "video/mp4"),)
    assert third.published_at == utc(2022, 5, 19, 22, 40)


def test_rss091_with_netscape_doctype_and_latin1():
    feed = parse_file("rss091.xml")
    assert (feed.title, feed.link, feed.language) == ("La Gazette du Souss", "http://www.gazette-souss.ma", "fr")
    assert [entry.title for entry in feed.entries] == [
        "Saison touristique record à Agadir",
        "Arganier : une coopérative primée",
    ]
    first = feed.entries[0]
    assert first.guid == first.link == "http://www.gazette-souss.ma/articles/saison-record.html"
    assert first.summary == "Les hôtels affichent complet jusqu'en septembre."
    assert first.published_at is None


def test_rss10_rdf_goes_to_feedparser_for_content_encoded():
    feed = parse_file("rss10_rdf.xml")
    assert (feed.parser, feed.format, feed.language) == ("feedparser", "rdf", "fr")
    first, second = feed.entries
    assert first.guid == "https://www.lettre-rabat.ma/2022/05/parlement-session"
    assert first.content == "<p>Les députés examineront <em>douze</em> projets de loi.</p>"
    assert first.summary == "Les députés examineront douze projets de loi."
    assert first.author == "Youssef Alaoui"
    assert first.categories == ("Politique",)
    assert first.published_at == utc(2022, 5, 18, 9, 0)  # dc:date
    assert second.title == "Un budget rectificatif à l’étude"
    assert second.published_at == utc(2022, 5, 17, 16, 45)


def test_rss090_is_read_as_rss10_by_fastfeedparser():
    feed = parse_file("rss090.xml")
    assert (feed.parser, feed.format, feed.title) == ("fastfeedparser", "rdf", "Le Vieux Portail")
    assert feed.link == "http://vieux-portail.example.org/"
    assert [entry.link for entry in feed.entries] == [
        "http://vieux-portail.example.org/ouverture.html",
        "http://vieux-portail.example.org/rubriques.html",
    ]


def test_atom_with_xml_base_resolves_relative_links():
    feed = parse_file("atom10_xmlbase.xml")
    assert (feed.parser, feed.format) == ("feedparser", "atom")  # fastfeedparser ignores xml:base
    assert (feed.title, feed.link, feed.language) == ("Médina Info", "https://www.medina-info.ma/", "fr")
    first, second = feed.entries

    assert first.title == "Fès : les tanneries rouvrent leurs portes"  # type="html" title, tags gone
    assert first.link == "https://www.medina-info.ma/culture/tanneries-chouara"
    assert first.guid == "tag:medina-info.ma,2022:article-501"
    assert first.published_at == utc(2022, 5, 20, 8, 0)
    assert first.updated_at == utc(2022, 5, 20, 8, 30)
    assert first.author == "Karim Idrissi"
    assert first.categories == ("culture", "fes")
    assert first.summary == "<p>Après deux ans de travaux.</p>"
    assert first.content.endswith('<img src="/media/chouara-2.jpg">')  # raw, as the feed gives it
    assert first.image_url == "https://www.medina-info.ma/media/chouara.jpg"  # rel="enclosure"
    assert first.enclosures == (Enclosure("https://www.medina-info.ma/media/chouara.jpg", "image/jpeg", 90210),)

    # The entry's own xml:base wins; only <updated> given, so it is the publication date too.
    assert second.link == "https://www.medina-info.ma/archives/2022/05/festival-arts-populaires"
    assert second.published_at == second.updated_at == utc(2022, 5, 19, 18, 0)
    assert second.content == "<p>Troupes venues de <strong>tout le Royaume</strong>.</p>"
    assert second.summary == ""  # the feed gives none


def test_atom_with_xml_base_on_the_root_only_stays_on_the_fast_path():
    document = (DATA / "atom10_xmlbase.xml").read_text(encoding="utf-8")
    document = document.replace(' xml:base="https://www.medina-info.ma/archives/2022/"', "")
    feed = parse(document.encode("utf-8"), "https://feeds.example.net/medina")
    assert feed.parser == "fastfeedparser"
    assert feed.link == "https://www.medina-info.ma/"
    first, second = feed.entries
    assert first.title == "Fès : les tanneries rouvrent leurs portes"
    assert first.link == "https://www.medina-info.ma/culture/tanneries-chouara"
    assert first.image_url == "https://www.medina-info.ma/media/chouara.jpg"
    assert first.enclosures == (Enclosure("https://www.medina-info.ma/media/chouara.jpg", "image/jpeg"),)
    assert second.link == "https://www.medina-info.ma/05/festival-arts-populaires"
    assert second.content == "<p>Troupes venues de <strong>tout le Royaume</strong>.</p>"  # xhtml unwrapped
    assert second.summary == ""  # not fastfeedparser's made-up preview


def test_atom_without_namespace_falls_back_to_feedparser():
    feed = parse_file("atom_no_namespace.xml")
    assert (feed.parser, feed.format) == ("feedparser", "atom")
    assert feed.title == "Blog sans espace de noms"
    assert [entry.link for entry in feed.entries] == [
        "https://blog-sans-ns.example.org/premier-billet",
        "https://blog-sans-ns.example.org/deuxieme-billet",
    ]
    assert feed.entries[0].published_at == utc(2022, 5, 20, 8, 0)


def test_rss_without_channel():
    feed = parse_file("rss_without_channel.xml")
    assert feed.title == "Flux sans canal"
    (entry,) = feed.entries
    assert (entry.title, entry.link) == ("Article hors canal", "https://sans-canal.example.ma/1")
    assert entry.published_at == utc(2022, 5, 23, 10, 0)


def test_cdf_falls_back_to_feedparser():
    feed = parse_file("cdf.xml")
    assert (feed.parser, feed.title) == ("feedparser", "Chaîne CDF")
    assert [(entry.title, entry.link) for entry in feed.entries] == [
        ("Page un", "http://cdf.example.org/page1.html"),
        ("Page deux", "http://cdf.example.org/page2.html"),
    ]


def test_json_feed_11():
    feed = parse_file("jsonfeed11.json", url="https://tanger-numerique.ma/feed.json")
    assert (feed.parser, feed.format) == ("json", "json")
    assert (feed.title, feed.link, feed.language) == ("Tanger Numérique", "https://tanger-numerique.ma/", "fr")
    first, second, third = feed.entries

    assert first.link == "https://tanger-numerique.ma/2022/05/port-med"  # relative url made absolute
    assert first.title == "Tanger Med dépasse les 7 millions de conteneurs"
    assert first.summary == "Un record pour le port."
    assert first.content == "<p>Un record pour le <strong>port</strong>.</p>"
    assert first.image_url == "https://tanger-numerique.ma/images/tanger-med.jpg"  # "image" before banner
    assert first.published_at == utc(2022, 5, 20, 7, 0)
    assert first.updated_at == utc(2022, 5, 20, 8, 0)
    assert first.author == "Hamza Chraibi"
    assert first.categories == ("Économie", "Transport")
    assert first.enclosures == (Enclosure("https://tanger-numerique.ma/audio/port.mp3", "audio/mpeg", 1024000),)

    assert second.guid == "4812"  # a number in the file
    assert second.content == "<p>Les trains partiront toutes les heures.</p>"  # content_text, escaped
    assert second.image_url == "https://tanger-numerique.ma/images/boraq.jpg"  # banner_image

    assert (third.guid, third.link, third.title, third.published_at) == ("no-url-item", "", "", None)


def test_json_feed_10_singular_author():
    feed = parse_file("jsonfeed10.json")
    (entry,) = feed.entries
    assert entry.author == "Leila Berrada"
    assert entry.published_at == utc(2022, 5, 18, 9, 0)
    assert feed.link == "https://oujda-hebdo.ma"


# ----------------------------------------------------------------- encodings


def test_windows_1252():
    feed = parse_file("windows1252.xml")
    assert feed.title == "Le Café du Commerce"
    assert [entry.title for entry in feed.entries] == [
        "Noël à Ifrane : l’été n’est pas loin",
        "Œuvres d’art exposées à Rabat",
    ]
    assert feed.entries[0].summary == "Prix du séjour : 450 € « tout compris »."


def test_windows_1256_arabic():
    feed = parse_file("windows1256_arabic.xml")
    assert feed.title == "جريدة الصباح التجريبية"
    assert feed.language == "ar"
    assert feed.entries[0].title == "المغرب يفتتح أكبر محطة للطاقة الشمسية"
    assert feed.entries[1].summary == "برنامج غني بالأنشطة."


def test_iso_8859_1():
    feed = parse_file("iso88591.xml")
    assert feed.title == "Salé Actualités"
    assert feed.entries[0].title == "Qualité de l'air à Salé : amélioration"


def test_utf8_with_bom():
    feed = parse_file("utf8_bom.xml")
    assert feed.title == "Kénitra Express"
    assert feed.entries[0].title == "Le Sebou déborde après les pluies"


@pytest.mark.parametrize("name", ["utf16le_bom.xml", "utf16le_nobom.xml", "utf16be_nobom.xml"])
def test_utf16_with_and_without_bom(name):
    feed = parse_file(name)
    assert feed.parser == "fastfeedparser"  # re-encoded as UTF-8 before parsing
    assert feed.title == "Meknès Hebdo"
    assert feed.entries[0].title == "Bab Mansour restauré"
    assert feed.entries[0].published_at == utc(2022, 5, 27, 9, 0)


def test_declared_utf8_but_bytes_are_windows_1252():
    feed = parse_file("declared_utf8_bytes_cp1252.xml")
    assert feed.title == "Tétouan Matin"
    assert feed.entries[0].title == "Café littéraire à Tétouan"
    assert feed.entries[0].summary == "Rencontre avec des écrivains – entrée libre."


def test_declared_latin1_but_bytes_are_utf8():
    feed = parse_file("declared_latin1_bytes_utf8.xml")
    assert feed.title == "Nador Côte Est"
    assert feed.entries[0].title == "Marchica : la lagune protégée"


# ----------------------------------------------------------------- refusals


def test_html_page_is_refused():
    assert refusal("html_page.html") == "not a feed: the document is an HTML page"


def test_truncated_xml_keeps_the_items_before_the_cut():
    feed = parse_file("truncated.xml")
    assert feed.title == "Fès Flash"
    assert [(entry.title, entry.link) for entry in feed.entries] == [
        ("Premier article complet", "https://fes-flash.example.ma/premier")
    ]


def test_truncated_xml_without_a_whole_item_is_refused():
    data = (DATA / "truncated.xml").read_bytes()
    cut = data[: data.index(b"</item>")]
    with pytest.raises(FeedParseError) as caught:
        parse(cut, "https://feeds.example.net/truncated.xml")
    assert str(caught.value) == "not a feed: XML is truncated at line 9 (the document ends before </rss>)"


def test_malformed_xml_is_refused_with_its_line():
    assert refusal("malformed.xml").startswith("not a feed: XML is malformed at line 3")


def test_billion_laughs_is_refused_before_parsing():
    message = refusal("billion_laughs.xml")
    assert message.startswith("not a feed: the document declares an entity 'lol1' that is not plain text")


def test_external_entity_is_refused_and_nothing_is_read():
    message = refusal("external_entity.xml")
    assert "external entity 'secret'" in message
    assert "root:" not in message


def test_safe_declared_entities_are_expanded_by_feedparser():
    feed = parse_file("safe_entities.xml")
    assert feed.parser == "feedparser"
    assert feed.title == "Presse déclarée"
    assert feed.entries[0].title == "Entités HTML déclarées"


def test_not_xml_nor_json():
    assert refusal("not_xml.txt").startswith(
        "not a feed: the document is neither XML nor JSON (it starts with 'Service temporairement"
    )


def test_opml_is_refused():
    assert refusal("opml.xml") == "not a feed: the document is XML with root element <opml>, not RSS, Atom or RDF"


def test_json_that_is_not_a_json_feed():
    assert refusal("json_not_feed.json") == 'not a feed: the JSON document is not a JSON Feed (no "items" list)'


@pytest.mark.parametrize("data", [b"", b"  \r\n\t ", b"\xef\xbb\xbf"])
def test_empty_bytes_are_refused(data):
    with pytest.raises(FeedParseError, match="^not a feed: the document is empty$"):
        parse(data, "https://example.ma/feed")


def test_a_gzip_compressed_feed_is_read():
    data = (DATA / "rss20_full.xml").read_bytes()
    assert parse(gzip.compress(data), "https://feeds.example.net/rss20_full.xml") == parse_file("rss20_full.xml")


def test_damaged_gzip_a_gzip_bomb_and_binary_are_refused(monkeypatch):
    with pytest.raises(FeedParseError, match="^not a feed: the document is damaged gzip data"):
        parse(b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "https://example.ma/feed")
    monkeypatch.setattr(triage, "MAX_INFLATED_BYTES", 1024)
    with pytest.raises(FeedParseError, match="^not a feed: the gzip-compressed document expands beyond"):
        parse(gzip.compress(b" " * 4096), "https://example.ma/feed")
    with pytest.raises(FeedParseError, match="binary data"):
        parse(bytes(range(256)) * 4, "https://example.ma/feed")


# ----------------------------------------------------------------- entries


def test_empty_feed_is_not_an_error():
    feed = parse_file("empty_feed.xml")
    assert feed.entries == ()
    assert (feed.title, feed.link, feed.language) == ("Flux encore vide", "https://vide.example.ma/", "fr")


def test_duplicate_guids_keep_the_first_and_a_shared_link_is_not_a_duplicate():
    feed = parse_file("duplicate_guids.xml")
    assert [(entry.guid, entry.title) for entry in feed.entries][:2] == [
        ("dup-1", "Version originale"),
        ("dup-2", "Autre article"),
    ]
    # Two items without guid share one link: two entries, each with its own stable guid.
    shared = feed.entries[2:]
    assert [(entry.link, entry.title) for entry in shared] == [
        ("https://doublons.example.ma/c", "Sans guid, même lien"),
        ("https://doublons.example.ma/c", "Sans guid, même lien (copie)"),
    ]
    assert all(entry.guid.startswith("https://doublons.example.ma/c#") for entry in shared)
    assert shared[0].guid != shared[1].guid
    assert [entry.guid for entry in parse_file("duplicate_guids.xml").entries] == [e.guid for e in feed.entries]


def test_entries_without_links():
    feed = parse_file("no_links.xml")
    with_id, anonymous, untitled = feed.entries
    assert (with_id.guid, with_id.link) == ("breve-77", "")
    assert anonymous.link == ""
    assert len(anonymous.guid) == 40 and anonymous.guid != untitled.guid  # sha1 of title + summary
    assert parse_file("no_links.xml").entries[1].guid == anonymous.guid  # stable
    assert untitled.title == ""


def test_relative_links_resolve_against_the_site_link():
    feed = parse_file("relative_links.xml", url="https://feeds.example.net/relatifs")
    first, second, third = feed.entries
    assert first.link == "https://www.relatifs.example.ma/politique/2022/05/article-1"
    assert first.image_url == "https://www.relatifs.example.ma/images/article-1.jpg"
    assert second.link == "https://www.relatifs.example.ma/societe/article-2"
    assert second.image_url == "https://www.relatifs.example.ma/images/article-2.png"  # image enclosure
    assert third.link == "https://autre.example.org/article-3"


def test_relative_site_link_resolves_against_the_feed_url():
    feed = parse_file("relative_channel_link.xml", url="https://www.site.example.ma/rss.xml")
    assert feed.link == "https://www.site.example.ma/"
    assert feed.entries[0].link == feed.entries[0].guid == "https://www.site.example.ma/a/1"


def test_dates():
    feed = parse_file("dates.xml")
    dates = {entry.title: entry.published_at for entry in feed.entries}
    assert dates == {
        "Sans date": None,
        "Date illisible": None,
        "Date future": utc(2099, 1, 1, 12, 0),  # kept; the caller decides
        "Fuseau horaire décalé": utc(2022, 5, 21, 4, 30),
        "Date ISO dans pubDate": utc(2022, 5, 20, 8, 15),
        "Dublin Core": utc(2022, 5, 19, 8, 0),
        "Date impossible": None,
    }
    assert all(entry.updated_at is None for entry in feed.entries)


def test_max_entries_keeps_the_first_in_document_order():
    feed = parse_file("rss20_full.xml", max_entries=2)
    assert [entry.guid for entry in feed.entries] == ["qa-10421", "https://www.quotidien-atlas.ma/?p=10422"]
    assert parse_file("rss20_full.xml", max_entries=0).entries == ()


def test_both_parsers_agree_on_a_plain_rss_feed(monkeypatch):
    import fastfeedparser

    fast = parse_file("rss20_full.xml")
    monkeypatch.setattr(fast_path, "_FFP_PARSE_WITH_CORE", None)  # a fastfeedparser without its native reader
    monkeypatch.setattr(fastfeedparser, "parse", _raise_value_error)
    slow = parse_file("rss20_full.xml")
    assert slow.parser == "feedparser"
    assert (slow.title, slow.link, slow.language, slow.ttl_minutes) == (
        fast.title, fast.link, fast.language, fast.ttl_minutes,
    )
    for fast_entry, slow_entry in zip(fast.entries, slow.entries, strict=True):
        assert slow_entry == fast_entry


def _raise_value_error(*args, **kwargs):
    raise ValueError("simulated fastfeedparser failure")


def test_a_long_content_without_summary_gets_no_made_up_summary():
    """fastfeedparser makes a summary from the first 512 characters of the content; its native
    reader strips it, so it must be recognised stripped too (OneFootTsunami's feed)."""
    paragraph = "Fès " * 128 + "et la suite."  # its 512th character is a space, which the native reader strips
    data = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Médina</title>'
        "<entry><title>Tanneries</title><link href='https://www.medina-info.ma/tanneries'/><id>t-1</id>"
        f"<updated>2022-05-20T10:00:00Z</updated><content type='html'>&lt;p&gt;{paragraph}&lt;/p&gt;</content></entry>"
        "</feed>"
    ).encode("utf-8")
    (entry,) = parse(data, "https://www.medina-info.ma/feed").entries
    assert entry.summary == ""
    assert entry.content.startswith("<p>Fès Fès")
