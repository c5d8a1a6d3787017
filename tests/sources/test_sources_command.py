"""``revue sources add|import|export|defaults|list`` as an operator uses them."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from importlib import resources

from revue.demo import DemoPress
from revue.demo.server import serve_press
from revue.sources.models import Feed, Source

pytestmark = pytest.mark.django_db


def default_rows_text() -> str:
    text = resources.files("revue.sources").joinpath("data/outlets.tsv").read_text(encoding="utf-8")
    return "\n".join(line for line in text.splitlines() if not line.startswith("#"))


@pytest.fixture(scope="module")
def running():
    with serve_press(DemoPress()) as running:
        yield running


def run(*args) -> str:
    out = StringIO()
    call_command("sources", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_add_a_feed_url_creates_the_outlet_and_its_feed(running, allow_loopback):
    output = run("add", f"{running.base_url}/veilleur-rabat/atom.xml")
    feed = Feed.objects.select_related("source").get()
    assert feed.url == f"{running.base_url}/veilleur-rabat/atom.xml"
    assert feed.source.name == "Le Veilleur de Rabat" or feed.source.name in output
    assert "ajouté" in output and "atom" in output


def test_add_a_site_url_discovers_its_feed(running, allow_loopback):
    run("add", f"{running.base_url}/sada-atlas/", "--name", "Sada Atlas", "--language", "ar")
    feed = Feed.objects.select_related("source").get()
    assert feed.url == f"{running.base_url}/sada-atlas/rss"
    assert feed.source.slug == "sada-atlas" and feed.source.language == "ar"


def test_adding_twice_changes_nothing(running, allow_loopback):
    run("add", f"{running.base_url}/veilleur-rabat/atom.xml")
    assert "déjà suivi" in run("add", f"{running.base_url}/veilleur-rabat/atom.xml")
    assert Feed.objects.count() == 1 and Source.objects.count() == 1


def test_loopback_is_refused_unless_allowed(running):
    with pytest.raises(CommandError, match="REVUE_FETCH_ALLOW"):
        run("add", f"{running.base_url}/veilleur-rabat/atom.xml")
    assert not Feed.objects.exists()


def test_a_page_without_feed_is_a_clear_error(running, allow_loopback):
    with pytest.raises(CommandError, match="n'est pas un flux|aucun flux|HTTP 404"):
        run("add", f"{running.base_url}/nowhere/")


def test_a_reserved_slug_is_refused(running, allow_loopback):
    with pytest.raises(CommandError, match="réservé"):
        run("add", f"{running.base_url}/veilleur-rabat/atom.xml", "--slug", "recherche")


def test_opml_export_then_import_round_trips(tmp_path):
    source = Source.objects.create(name="Barlamane", language="ar", homepage="https://www.barlamane.com/")
    Feed.objects.create(source=source, url="https://www.barlamane.com/feed", category_hint="maroc")
    exported = StringIO()
    call_command("sources", "export", stdout=exported)
    opml = tmp_path / "feeds.opml"
    opml.write_text(exported.getvalue())
    Source.objects.all().delete()
    output = run("import", str(opml))
    feed = Feed.objects.select_related("source").get()
    assert feed.url == "https://www.barlamane.com/feed" and feed.category_hint == "maroc"
    assert feed.source.name == "Barlamane" and feed.source.language == "ar"
    assert "1 flux ajoutés" in output


def test_a_hostile_opml_is_refused(tmp_path):
    bomb = tmp_path / "bomb.opml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaa">]><opml><body>&a;</body></opml>')
    with pytest.raises(CommandError, match="entités"):
        run("import", str(bomb))
    with pytest.raises(CommandError):
        run("import", str(tmp_path / "missing.opml"))


def test_defaults_follow_the_shipped_outlet_list_grouped_by_outlet():
    output = run("defaults")
    hespress = Source.objects.get(name="Hespress")
    assert set(hespress.feeds.values_list("category_hint", flat=True)) == {"", "politique", "societe"}
    assert set(Source.objects.get(name="MAP (FR)").feeds.values_list("category_hint", flat=True)) == {"politique", "economie", "societe", "sport"}
    rows = [line for line in default_rows_text().splitlines()[1:] if line.strip()]
    assert Feed.objects.count() == len(rows) == 52 and "52 flux ajoutés" in output
    assert "0 flux ajoutés" in run("defaults")


def test_every_first_word_of_the_url_map_is_kept_from_outlets():
    """Read from Django's resolver: each fixed path's first segment, wherever it is declared."""
    from django.urls import reverse

    from revue.sources.models import reserved_slugs

    words = reserved_slugs()
    for name in ("portal:search", "portal:archives", "portal:feed-latest", "portal:sitemap-index", "portal:robots",
                 "admin:index"):
        first = reverse(name, kwargs={"kind": "rss"} if name == "portal:feed-latest" else None).strip("/").split("/")[0]
        assert first in words, name
    assert {"categorie", "histoire", "img", "signaler", "api", "static"} <= words
    assert "barlamane" not in words and not any("<" in word for word in words)
