"""The catalogue of demo outlets: who they are and how each one publishes.

Twelve hand-made profiles (5 French, 3 Arabic, 2 Spanish, 2 English), each with its own site
layout, feed format and habits (full content or summaries, encoding, conditional GET, tracking
parameters, guid style, time zone). Asking for more outlets clones the profiles with a numbered
name and slug, so a benchmark can have hundreds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

TRACKING_PARAMS = "utm_source=rss&utm_medium=feed&utm_campaign=demo"


@dataclass(frozen=True)
class OutletProfile:
    """How one outlet looks and publishes; the press fills in its articles."""

    name: str
    slug: str
    language: str
    country: str
    layout: str
    feed_format: str
    feed_path: str
    full_content: bool
    tagline: str
    encoding: str = "utf-8"
    supports_304: bool = True
    tracking: bool = False
    utc_offset: int = 0
    guid_style: str = "urn"
    image_element: str = "media"
    author_element: str = "dc"
    category_feeds: tuple[str, ...] = ()
    publishes_editions: bool = False


CATALOGUE: tuple[OutletProfile, ...] = (
    OutletProfile("L’Écho du Détroit", "echo-detroit", "fr", "MA", "article", "rss2", "rss.xml", True,
                  "L’actualité du Nord, du Maroc et du monde", utc_offset=1,
                  category_feeds=("sport", "economie"), publishes_editions=True),
    OutletProfile("La Gazette de l’Oriental", "gazette-oriental", "fr", "MA", "divsoup", "rss2", "feed/",
                  False, "Le journal de l’Oriental, chaque jour", encoding="windows-1252",
                  supports_304=False, tracking=True, guid_style="number", image_element="enclosure",
                  author_element="rss"),
    OutletProfile("Le Veilleur de Rabat", "veilleur-rabat", "fr", "MA", "entry", "atom", "atom.xml", True,
                  "Politique, économie, société", utc_offset=1, guid_style="tag"),
    OutletProfile("Atlas Matin", "atlas-matin", "fr", "MA", "nested", "rss1", "index.rdf", False,
                  "Le quotidien du matin", guid_style="link", publishes_editions=True),
    OutletProfile("Le Phare de Tanger", "phare-tanger", "fr", "MA", "article", "jsonfeed", "feed.json", True,
                  "Tanger et sa région en continu", utc_offset=1),
    OutletProfile("صدى الأطلس", "sada-atlas", "ar", "MA", "entry", "rss2", "rss", False,
                  "أخبار المغرب والعالم", guid_style="number"),
    OutletProfile("بوابة الجنوب", "bawabat-janoub", "ar", "MA", "nested", "rss2", "feeds/all.xml", True,
                  "صوت الجهات الجنوبية", image_element="enclosure", publishes_editions=True),
    OutletProfile("نبض المدينة", "nabd-madina", "ar", "MA", "divsoup", "atom", "atom", False,
                  "جريدة إلكترونية مستقلة", supports_304=False, guid_style="tag"),
    OutletProfile("El Faro del Estrecho", "faro-estrecho", "es", "ES", "entry", "rss2", "rss/portada.xml",
                  False, "Noticias de las dos orillas", tracking=True, utc_offset=1, guid_style="number"),
    OutletProfile("Crónica de Tetuán", "cronica-tetuan", "es", "MA", "nested", "jsonfeed", "feed.json",
                  False, "Diario digital del norte de Marruecos", publishes_editions=True),
    OutletProfile("Atlas Dispatch", "atlas-dispatch", "en", "GB", "divsoup", "rss2", "rss.xml", True,
                  "Morocco and North Africa in English", guid_style="tag", image_element="enclosure",
                  author_element="rss"),
    OutletProfile("Maghreb Ledger", "maghreb-ledger", "en", "US", "article", "rss2", "feed/rss/", False,
                  "Business and politics across the Maghreb", tracking=True),
)


def outlet_profiles(count: int) -> tuple[OutletProfile, ...]:
    """The first `count` profiles: the catalogue, then numbered clones of it."""
    if count < 1:
        raise ValueError("the demo press needs at least one outlet")
    profiles = []
    for position in range(count):
        base = CATALOGUE[position % len(CATALOGUE)]
        round_number = position // len(CATALOGUE)
        if round_number == 0:
            profiles.append(base)
        else:
            number = round_number + 1
            profiles.append(replace(base, name=f"{base.name} {number}", slug=f"{base.slug}-{number}"))
    return tuple(profiles)
