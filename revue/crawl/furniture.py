"""The built-in extraction rules as data: the words and phrases that mark page furniture.

Beside the per-outlet rules (``ExtractionRule`` rows, applied by :mod:`revue.crawl.rules`), these
tables are what Revue knows about every page, whoever publishes it — as Miniflux keeps its
``scraper/rules.go`` and ``rewrite/content_rewrite_rules.go``. Add a word or a phrase here, not
in the code that reads it: :mod:`revue.crawl.rules` drops the elements named by
``BOILERPLATE_WORDS``; :mod:`revue.crawl.extract` looks for the other class words and drops the
blocks that read as the phrases (short blocks only, matched case-insensitively).

Class and id words are whole words of a ``class`` or ``id`` value, split on anything but
``a-z0-9`` (``gallery__counter share-tools`` → gallery, counter, share, tools). Phrases are
regular-expression fragments (``\\s+`` where the page may put any space), grouped by language.
"""

from __future__ import annotations

# --- class and id words -------------------------------------------------------------------------

# page furniture, never article text: the elements so named are dropped
BOILERPLATE_WORDS = frozenset(
    {
        "share", "sharing", "sharedaddy", "social", "newsletter", "newsletters", "paywall",
        "paywalled", "subscribe", "subscription", "counter", "badge", "promo", "advert",
        "advertisement", "adsbygoogle", "sponsored", "cookie", "cookies", "consent",
        "related", "outbrain", "taboola", "breadcrumb", "breadcrumbs", "bio", "tags", "kicker", "thumbs", "thumbnails",
    }
)  # fmt: skip
# a standfirst ("chapô"): the summary paragraph between the title and the text
STANDFIRST_WORDS = frozenset({"chapo", "chapeau", "standfirst", "lede", "lead", "dek", "intro", "excerpt", "summary", "chapeau"})
# a slideshow's containers (on a picture page, where they hold the article's figures)
SLIDESHOW_WORDS = frozenset({"slide", "slides", "slideshow", "slider", "carousel", "gallery", "diaporama", "swiper"})
# a live blog's posts
LIVE_WORDS = frozenset({"live", "liveblog", "livepost", "direct", "minute"})

# --- phrases of blocks that are not the article's text ------------------------------------------

# the openings of paragraphs that only point to other articles of the outlet ("Lire aussi")
READ_ALSO = {
    "fr": (r"(?:à\s+)?lire\s+(?:aussi|également|egalement)", r"voir\s+aussi", r"sur\s+le\s+même\s+sujet"),
    "ar": (r"اقرأ\s+(?:أيضا|أيضاً|ايضا|كذلك)", r"إقرأ\s+(?:أيضا|أيضاً|ايضا)", r"اقرأ\s+المزيد"),
    "es": (r"lea\s+(?:también|tambien)", r"lee\s+(?:también|tambien)", r"te\s+puede\s+interesar"),
    "en": (r"read\s+(?:also|more)", r"see\s+also", r"related\s*:"),
}
# subscription and newsletter prompts, anywhere in a short block
PROMPTS = {
    "fr": (
        r"réservé aux abonnés", r"abonnez-vous", r"déjà abonné", r"il vous reste \d+\s?% de (?:cet|l')article",
        r"je m'abonne", r"inscrivez-vous à (?:la|notre) newsletter",
    ),
    "en": (
        r"subscribe (?:now|to (?:read|continue|our))", r"already a subscriber", r"for subscribers only",
        r"sign up for (?:our|the) .*newsletter",
    ),
    "es": (r"suscríbete", r"ya eres suscriptor", r"exclusivo para suscriptores", r"contenido exclusivo para"),
    "ar": (r"هذا المقال (?:خاص|حصري) (?:بالمشتركين|للمشتركين)", r"اشترك (?:الآن|لقراءة)"),
}  # fmt: skip
# a page's own controls and live-update banners: the whole block (^ … $) or its start (^ …)
PAGE_CONTROLS = (
    r"^(?:rafraîchir|actualiser|refresh|actualizar)$",
    r"^(?:en direct\W+)?mis à jour en continu",
    r"^(?:live\W+)?(?:updated|updating) (?:live|continuously)",
    r"^(?:en directo\W+)?actualizado (?:en directo|al minuto)",
)
# a piece of every prompt and page control above, lower-cased: a body that holds none of them
# (plain substring search, far cheaper than the regular expression's scan) holds no prompt
PROMPT_PIECES = (
    "abonn", "il vous reste", "inscrivez-vous", "subscri", "sign up for", "suscr", "exclusivo para", "المقال", "اشترك",
    "rafraîchir", "actualiser", "refresh", "actualizar", "mis à jour", "updat", "actualizado",
)  # fmt: skip
# the word between the numbers of a slide counter ("3 / 12", "3 sur 12", "3 of 12")
COUNTER_WORDS = ("/", "sur", "de", "of", "من")

# --- picture credits ----------------------------------------------------------------------------

# a caption that only credits the picture opens with one of these words ("Foto: dpa") …
CREDIT_WORDS = (
    r"fotos?", r"photos?", "bild", "bilder", "image", "images", "illustration", "credit", "crédit", "crédits",
    "quelle", "source", "fuente", "foto",
)  # fmt: skip
# … or with a copyright mark …
COPYRIGHT_MARKS = ("©", r"\(c\)", "copyright")
# … or ends with an agency's name after a slash or a bar ("Berlin / dpa")
PICTURE_AGENCIES = ("dpa", "afp", "ap", "reuters", "getty(?: images)?", r"istock(?:\.com)?")
