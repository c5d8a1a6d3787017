"""The default outlet list as data (every row valid, with its checked date), and ``revue sources
check`` against loopback outlets: which answer, which moved, which are dead, nothing stored."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from werkzeug import Response

from revue.sources.defaults import COLUMNS, OutletListError, default_rows, read_rows
from revue.sources.models import Feed, Source

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Le Veilleur</title><link>http://x/</link>
<item><title>Un</title><link>http://x/1</link></item><item><title>Deux</title><link>http://x/2</link></item>
</channel></rss>"""


def test_the_shipped_list_is_valid_and_dated():
    rows = default_rows()
    assert len(rows) == 52 and len({r.feed_url for r in rows}) == 52
    assert {r.language for r in rows} == {"ar", "fr", "en"}
    assert {r.category for r in rows} >= {"", "politique", "economie", "societe", "sport"}
    assert all(r.checked is None for r in rows)  # never checked live from here (no Internet): `never`
    assert {r.outlet: r.category for r in rows}["Elbotola"] == "sport"


@pytest.mark.parametrize(("line", "reason"), [
    ("Le Matin\tfr\t\tftp://lematin.ma/rss\tnever\t1", "http"),
    ("Le Matin\tde\t\thttps://lematin.ma/rss\tnever\t1", "language 'de'"),
    ("Le Matin\tfr\tfoot\thttps://lematin.ma/rss\tnever\t1", "category 'foot'"),
    ("Le Matin\tfr\t\thttps://lematin.ma/rss\thier\t1", "checked 'hier'"),
    ("Le Matin\tfr\thttps://lematin.ma/rss\tnever", "4 columns"),
])
def test_a_bad_row_is_refused_with_its_line(line, reason):
    with pytest.raises(OutletListError, match=f"line 3: .*{reason}"):
        read_rows("# a comment\n" + "\t".join(COLUMNS) + "\n" + line)


def run(*args) -> str:
    out = StringIO()
    call_command("sources", *args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def press(httpserver):
    httpserver.expect_request("/ok.xml").respond_with_data(RSS, content_type="application/rss+xml")
    httpserver.expect_request("/old.xml").respond_with_response(
        Response(status=301, headers={"Location": httpserver.url_for("/new.xml")}))
    httpserver.expect_request("/new.xml").respond_with_data(RSS, content_type="application/rss+xml")
    httpserver.expect_request("/for-now.xml").respond_with_response(
        Response(status=302, headers={"Location": httpserver.url_for("/ok.xml")}))
    httpserver.expect_request("/gone.xml").respond_with_data("gone", status=410)
    httpserver.expect_request("/missing.xml").respond_with_data("not here", status=404)
    httpserver.expect_request("/challenge.xml").respond_with_data(
        "<html><body>Checking your browser…</body></html>", content_type="text/html")
    return httpserver


def outlet_list(tmp_path, press, checked="never"):
    paths = ["/ok.xml", "/old.xml", "/for-now.xml", "/gone.xml", "/missing.xml", "/challenge.xml"]
    lines = [f"Outlet {n}\tfr\t\t{press.url_for(path)}\t{checked}\t1" for n, path in enumerate(paths)]
    lines.append("Nowhere\tar\t\thttp://127.0.0.1:9/feed\tnever\t1")  # nothing listens on port 9
    file = tmp_path / "outlets.tsv"
    file.write_text("# loopback press\n" + "\t".join(COLUMNS) + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return file


@pytest.mark.django_db
def test_check_says_which_answer_moved_or_are_dead_and_stores_nothing(tmp_path, press, allow_loopback):
    output = run("check", "--file", str(outlet_list(tmp_path, press)))

    verdicts = [line.split()[0] for line in output.splitlines() if " — " in line]
    assert verdicts == ["ok", "moved", "ok", "dead", "dead", "not_a_feed", "dead"]
    assert f"→ {press.url_for('/new.xml')} (2 entrées)" in output
    assert "HTTP 410" in output and "HTTP 404" in output
    assert output.splitlines()[-1] == "2 répondent, 1 déplacés, 1 sans flux lisible, 3 morts, sur 7"
    assert not Feed.objects.exists() and not Source.objects.exists()


@pytest.mark.django_db
def test_check_tsv_dates_the_rows_that_answered_and_moves_the_moved(tmp_path, press, allow_loopback):
    from datetime import date

    output = run("check", "--file", str(outlet_list(tmp_path, press)), "--tsv")

    assert output.startswith("# loopback press\n")
    rows = read_rows(output)  # the output is a valid list again
    answered = {r.outlet: r for r in rows if r.checked == date.today()}
    assert set(answered) == {"Outlet 0", "Outlet 1", "Outlet 2"}
    assert answered["Outlet 1"].feed_url == press.url_for("/new.xml")
    assert sum(r.checked is None for r in rows) == 4


@pytest.mark.django_db
def test_check_goes_through_the_outbound_guard(tmp_path, press):
    output = run("check", "--file", str(outlet_list(tmp_path, press)))
    assert output.splitlines()[-1].endswith("0 répondent, 0 déplacés, 0 sans flux lisible, 7 morts, sur 7")
    assert "REVUE_FETCH_ALLOW" in output
    assert not press.log  # not one request reached the loopback press


def test_a_bad_list_file_is_a_one_line_error(tmp_path):
    with pytest.raises(CommandError, match="missing.tsv"):
        run("check", "--file", str(tmp_path / "missing.tsv"))
    bad = tmp_path / "bad.tsv"
    bad.write_text("outlet\tfeed\n")
    with pytest.raises(CommandError, match="header"):
        run("check", "--file", str(bad))
