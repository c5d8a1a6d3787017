"""The portal's sections and how an outlet's own category labels map onto them.

Outlets label their entries freely ("Économie", "Eco & Business", "اقتصاد", "Economía",
"Sports"…). ``category_for`` maps such labels, in any of the portal's four languages, onto
one of the portal's sections by keyword, so every article lands in a section a reader knows.
"""

from __future__ import annotations

from revue.text.fold import fold

# slug, French name, position, keywords (compared folded, as labels are: revue.text.fold)
SECTIONS: tuple[tuple[str, str, int, tuple[str, ...]], ...] = (
    ("maroc", "Maroc", 10, ("maroc", "national", "morocco", "marruecos", "المغرب", "وطني", "regions", "régions")),
    ("politique", "Politique", 20, ("politi", "politics", "politica", "سياسة", "parlement", "gouvernement")),
    ("economie", "Économie", 30, ("econom", "business", "finance", "bourse", "marche", "اقتصاد", "مال", "entreprise")),
    ("societe", "Société", 40, ("societ", "social", "sociedad", "مجتمع", "faits divers", "justice", "sante", "education")),
    ("monde", "Monde", 50, ("monde", "world", "international", "mundo", "internacional", "دولي", "عالم", "afrique")),
    ("sport", "Sport", 60, ("sport", "deporte", "football", "futbol", "رياضة", "كرة")),
    ("culture", "Culture", 70, ("cultur", "arts", "cinema", "musique", "ثقافة", "فن", "people")),
    ("technologie", "Technologie", 80, ("tech", "numerique", "digital", "tecnolog", "تكنولوجيا", "sciences")),
)


_FOLDED_KEYWORDS = {slug: tuple(fold(keyword) for keyword in keywords) for slug, _name, _pos, keywords in SECTIONS}


def category_for(labels, hint: str = "") -> str:
    """The section slug for an entry with these outlet ``labels``; ``hint`` (the feed's) wins."""
    known = {slug for slug, *_ in SECTIONS}
    if hint in known:
        return hint
    for label in labels:
        folded = fold(label).strip()
        if folded in known:
            return folded
        for slug, keywords in _FOLDED_KEYWORDS.items():
            if any(keyword in folded for keyword in keywords):
                return slug
    return ""
