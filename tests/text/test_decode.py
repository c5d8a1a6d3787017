"""revue.text.decode: outside bytes read as text the same way for feeds and pages, and a page or a
feed in a single-byte charset that names none is still read right."""

from __future__ import annotations

import pytest

from revue.crawl.feeds import parse
from revue.crawl.pipeline import decode_page
from revue.text.decode import decode, http_charset, meta_charset, xml_charset

pytestmark = pytest.mark.nodb

ARABIC = ("أعلنت الحكومة المغربية اليوم عن برنامج جديد لدعم الفلاحين المتضررين من الجفاف، "
          "ويشمل البرنامج تخفيض أسعار الأعلاف وتوزيع البذور على صغار المزارعين في الجهات")
FRENCH = "Le gouvernement annonce des mesures pour l'été : élèves, écoles et hôpitaux à Fès"


def test_an_arabic_page_in_windows_1256_that_names_no_charset_is_read_right():
    page = f"<html><body><p>{ARABIC}</p></body></html>".encode("cp1256")
    assert ARABIC in decode_page(page, "text/html")


def test_valid_utf8_wins_over_a_stale_label_and_a_label_wins_over_a_guess():
    assert decode_page(FRENCH.encode("utf-8"), "text/html; charset=ISO-8859-1") == FRENCH
    assert decode(FRENCH.encode("cp1252"), "iso-8859-1") == FRENCH
    # a stale Unicode label on bytes that are not UTF-8 is passed over
    assert decode(FRENCH.encode("cp1252"), "utf-8", "windows-1252") == FRENCH


def test_the_server_is_trusted_before_the_meta_of_a_page_and_the_declaration_before_the_server_for_a_feed():
    page = f'<html><head><meta charset="windows-1252"></head><p>{ARABIC}</p>'.encode("cp1256")
    assert ARABIC in decode_page(page, "text/html; charset=windows-1256")
    assert meta_charset(page) == "windows-1252" and http_charset('text/html; charset="Latin-1"') == "cp1252"
    feed = (f'<?xml version="1.0" encoding="windows-1256"?><rss version="2.0"><channel><title>t</title>'
            f'<item><title>{ARABIC[:60]}</title><link>https://example.ma/a</link></item></channel></rss>')
    data = feed.encode("cp1256")
    assert xml_charset(data) == "windows-1256"
    assert parse(data, "https://example.ma/rss", content_type="application/rss+xml; charset=iso-8859-1"
                 ).entries[0].title == ARABIC[:60]


def test_byte_order_marks_and_utf16_without_one():
    assert decode(b"\xef\xbb\xbf" + FRENCH.encode("utf-8"), "cp1252") == FRENCH
    assert decode(FRENCH.encode("utf-16-le")) == FRENCH
    assert decode("\ufeff".encode("utf-16-be") + FRENCH.encode("utf-16-be")) == FRENCH


@pytest.mark.parametrize("data", [b"", b"\x00", b"\xff\xfe\x00", bytes(range(256)), b"\x81\x8d\x8f\x90\x9d" * 99])
def test_never_raises_on_odd_bytes(data):
    assert isinstance(decode(data, "x-unknown-charset", "utf-7"), str)
