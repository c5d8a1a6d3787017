"""The shape of a lexicon: every word and sentence pattern the demo press writes with, for one language.

Lists that an article's facts point into by position (cities, first and last names, roles, each
category's topics and organisations) are aligned across languages, and so are the sentence lists:
entry *n* of the Spanish lead sentences says what entry *n* of the French ones says. That is how one
story, told by a French and a Spanish outlet, names the same city, people and figures.

Placeholders in patterns: {city} {city2} {person} {person2} {role} {org} {Org} {topic} {Topic}
{number} {thousands} {percent} {percent2} {amount} {year} {weekday} {subject}.
"""

from __future__ import annotations

from dataclasses import dataclass

CATEGORY_SLUGS = ("maroc", "economie", "sport", "monde", "culture", "societe", "technologie")

CATEGORY_NAMES = {
    "maroc": "Maroc",
    "economie": "Économie",
    "sport": "Sport",
    "monde": "Monde",
    "culture": "Culture",
    "societe": "Société",
    "technologie": "Technologie",
}

CITIES_LATIN = ("Casablanca", "Rabat", "Marrakech", "Fès", "Tanger", "Agadir",
                "Oujda", "Meknès", "Tétouan", "Dakhla", "Laâyoune", "El Jadida")
FIRST_NAMES_LATIN = ("Youssef", "Salma", "Hicham", "Nadia", "Omar", "Khadija",
                     "Rachid", "Imane", "Mehdi", "Leila", "Anas", "Siham")
LAST_NAMES_LATIN = ("Benali", "El Idrissi", "Tazi", "Berrada", "Alaoui",
                    "Bennani", "Chraibi", "Ouazzani", "Amrani", "Lahlou")

LABEL_KEYS = ("cookie", "accept", "share", "ad", "read_also", "comments", "by", "published",
              "rights", "home", "search", "newsletter", "most_read", "contact", "videos",
              "about", "newsroom", "reply", "latest")


@dataclass(frozen=True)
class Lexicon:
    """The words of one language; see the module docstring for what is aligned."""

    language: str
    direction: str
    decimal_mark: str
    thousands_word: str
    cities: tuple[str, ...]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    roles: tuple[str, ...]
    topics: dict[str, tuple[str, ...]]
    organisations: dict[str, tuple[str, ...]]
    category_names: dict[str, str]
    weekdays: tuple[str, ...]
    months: tuple[str, ...]
    date_format: str
    titles: tuple[str, ...]
    leads: tuple[str, ...]
    sentences: tuple[str, ...]
    closings: tuple[str, ...]
    captions: tuple[str, ...]
    comments: tuple[str, ...]
    commenters: tuple[str, ...]
    labels: dict[str, str]

    def display_date(self, moment) -> str:
        """A reader-facing date, e.g. "8 décembre 2025 à 11h20"."""
        return self.date_format.format(day=moment.day, month=self.months[moment.month - 1],
                                       year=moment.year, hour=moment.hour, minute=moment.minute)
