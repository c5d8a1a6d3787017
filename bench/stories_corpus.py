"""A labelled corpus of news stories in four languages, generated deterministically from templates.

    python bench/stories_corpus.py                 # writes bench/data/stories_labelled.jsonl
    python bench/stories_corpus.py --sample 12     # prints a sample to check by hand

Every text is written here, from sentence patterns of our own (nothing copied from anywhere). A
corpus is a sequence of *events* (an accident, a match, an inflation figure, a visit …), each told
by one or more outlets in French, Arabic, Spanish or English. How the labelled set is made hard:

* **near-duplicates**: the news agency (MAP, in the four languages) sends a dispatch; outlets
  republish it with a tag in the title ("[INTEGRAL]", "(MAP)", "URGENT -"), a byline, a "Lire
  aussi" line, or its last paragraph cut. ``copy_of`` names the dispatch such an article copies.
* **one event, many wordings**: outlets that write their own piece pick other titles, leads and
  sentences, in another order, with background sentences of their own.
* **same topic, different event**: events of one kind often reuse a city, an institution, a team or
  a person of an earlier event a few hours before (two accidents near Tanger, the HCP's inflation
  then its unemployment figure, Raja playing twice in a week), and the daily items (exchange rates,
  the stock market) are nearly the same text every day with other figures.
* **across languages**: names in Arabic script, cities by their exonyms (Tanger, Tánger, Tangier,
  طنجة), figures written the local way (3,5 % · 3.5% · 3,5 في المائة · ٣٫٥), film titles translated.

``Corpus(seed).articles(events)`` yields ``LabelledArticle`` rows in publication order; the
speed benchmark draws 100,000 of them from the same generator.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

LANGUAGES = ("fr", "es", "en", "ar")
OUT = Path(__file__).resolve().parent / "data" / "stories_labelled.jsonl"


@dataclass(frozen=True)
class Name:
    """One thing named in the four languages."""

    fr: str
    es: str
    en: str
    ar: str

    def get(self, language: str) -> str:
        return getattr(self, language)


def same(latin: str, arabic: str) -> Name:
    return Name(latin, latin, latin, arabic)


# --- who and where ------------------------------------------------------------------------------

CITIES = (
    same("Casablanca", "الدار البيضاء"), same("Rabat", "الرباط"),
    Name("Marrakech", "Marrakech", "Marrakesh", "مراكش"), Name("Fès", "Fez", "Fez", "فاس"),
    Name("Tanger", "Tánger", "Tangier", "طنجة"), same("Agadir", "أكادير"),
    Name("Oujda", "Uchda", "Oujda", "وجدة"), Name("Meknès", "Mequinez", "Meknes", "مكناس"),
    Name("Tétouan", "Tetuán", "Tetouan", "تطوان"), Name("Laâyoune", "El Aaiún", "Laayoune", "العيون"),
    Name("Dakhla", "Dajla", "Dakhla", "الداخلة"), Name("Kénitra", "Kenitra", "Kenitra", "القنيطرة"),
    same("Nador", "الناظور"), Name("El Jadida", "El Yadida", "El Jadida", "الجديدة"),
    same("Safi", "آسفي"), Name("Béni Mellal", "Beni Mellal", "Beni Mellal", "بني ملال"),
    Name("Essaouira", "Esauira", "Essaouira", "الصويرة"), same("Ifrane", "إفران"),
    Name("Al Hoceima", "Alhucemas", "Al Hoceima", "الحسيمة"), same("Errachidia", "الرشيدية"),
    same("Taza", "تازة"), same("Khouribga", "خريبكة"), same("Settat", "سطات"), same("Larache", "العرائش"),
)  # fmt: skip

FIRST_NAMES = (
    same("Youssef", "يوسف"), same("Salma", "سلمى"), same("Hicham", "هشام"), same("Nadia", "نادية"),
    same("Omar", "عمر"), same("Khadija", "خديجة"), same("Rachid", "رشيد"), same("Imane", "إيمان"),
    same("Mehdi", "مهدي"), same("Leila", "ليلى"), same("Karim", "كريم"), same("Samira", "سميرة"),
    same("Abdellah", "عبد الله"), same("Hassan", "حسن"), same("Driss", "إدريس"), same("Mounia", "منية"),
    same("Said", "سعيد"), same("Latifa", "لطيفة"), same("Mustapha", "مصطفى"), same("Amina", "أمينة"),
)  # fmt: skip
LAST_NAMES = (
    same("Benali", "بنعلي"), same("El Idrissi", "الإدريسي"), same("Tazi", "التازي"),
    same("Berrada", "برادة"), same("Alaoui", "العلوي"), same("Bennani", "بناني"),
    same("Chraibi", "الشرايبي"), same("Ouazzani", "الوزاني"), same("Amrani", "العمراني"),
    same("Lahlou", "لحلو"), same("Benjelloun", "بنجلون"), same("Kettani", "الكتاني"),
    same("Skalli", "السقلي"), same("Zniber", "زنيبر"), same("Mernissi", "المرنيسي"),
    same("Belkadi", "بلقاضي"), same("Haddaoui", "الحداوي"), same("Naciri", "الناصري"),
    same("Filali", "الفيلالي"), same("Sebti", "السبتي"), same("Rhazali", "الغزالي"),
    same("Bouzid", "بوزيد"), same("Jaidi", "الجعيدي"), same("Marzouki", "المرزوقي"),
)  # fmt: skip

COUNTRIES = (  # (country, a minister of it)
    (Name("l'Espagne", "España", "Spain", "إسبانيا"), same("Javier Molina", "خافيير مولينا")),
    (Name("la France", "Francia", "France", "فرنسا"), same("Claire Dubois", "كلير دوبوا")),
    (Name("le Sénégal", "Senegal", "Senegal", "السنغال"), same("Moussa Diop", "موسى ديوب")),
    (Name("le Portugal", "Portugal", "Portugal", "البرتغال"), same("Rui Mendes", "روي مينديز")),
    (Name("l'Allemagne", "Alemania", "Germany", "ألمانيا"), same("Anna Keller", "آنا كيلر")),
    (Name("le Nigeria", "Nigeria", "Nigeria", "نيجيريا"), same("Emeka Okafor", "إيميكا أوكافور")),
    (Name("l'Égypte", "Egipto", "Egypt", "مصر"), same("Hossam Abdelaziz", "حسام عبد العزيز")),
    (Name("la Chine", "China", "China", "الصين"), same("Li Wei", "لي وي")),
    (Name("les États-Unis", "Estados Unidos", "the United States", "الولايات المتحدة"), same("Mark Ellis", "مارك إليس")),
    (Name("la Mauritanie", "Mauritania", "Mauritania", "موريتانيا"), same("Sidi Ould Ahmed", "سيدي ولد أحمد")),
    (Name("l'Italie", "Italia", "Italy", "إيطاليا"), same("Marco Bellini", "ماركو بيليني")),
    (Name("le Brésil", "Brasil", "Brazil", "البرازيل"), same("Paulo Ferreira", "باولو فيريرا")),
)  # fmt: skip

SECTORS = (
    Name("les énergies renouvelables", "las energías renovables", "renewable energy", "الطاقات المتجددة"),
    Name("l'agriculture", "la agricultura", "agriculture", "الفلاحة"),
    Name("la pêche maritime", "la pesca marítima", "fisheries", "الصيد البحري"),
    Name("l'enseignement supérieur", "la enseñanza superior", "higher education", "التعليم العالي"),
    Name("la santé", "la sanidad", "health", "الصحة"),
    Name("le tourisme", "el turismo", "tourism", "السياحة"),
    Name("les infrastructures portuaires", "las infraestructuras portuarias", "port infrastructure", "البنيات التحتية المينائية"),
    Name("l'hydrogène vert", "el hidrógeno verde", "green hydrogen", "الهيدروجين الأخضر"),
)  # fmt: skip

COMPANIES = (
    same("Atlas Ciments", "أطلس للإسمنت"), same("Maghreb Steel", "ماغريب ستيل"),
    same("Sahel Telecom", "ساحل تيليكوم"), same("Rif Energies", "ريف للطاقات"),
    same("Tingis Logistique", "تينجيس لوجستيك"), same("Souss Agro", "سوس أغرو"),
    same("Anfa Immobilier", "أنفا العقارية"), same("Zagora Mines", "زاكورة للمناجم"),
    same("Volubilis Assurances", "وليلي للتأمين"), same("Oasis Bank", "بنك الواحة"),
    same("Medina Pharma", "مدينة فارما"), same("Kasbah Digital", "قصبة ديجيتال"),
)  # fmt: skip

TEAMS = (
    same("Raja", "الرجاء"), same("Wydad", "الوداد"), same("AS FAR", "الجيش الملكي"),
    same("RS Berkane", "نهضة بركان"), same("FUS Rabat", "الفتح الرباطي"),
    same("MAS Fès", "المغرب الفاسي"), same("Hassania Agadir", "حسنية أكادير"),
    same("IR Tanger", "اتحاد طنجة"), same("Olympique Safi", "أولمبيك آسفي"),
    same("Moghreb Tétouan", "المغرب التطواني"),
)  # fmt: skip

COMPETITIONS = (
    Name("la Botola Pro", "la Botola Pro", "the Botola Pro", "البطولة الاحترافية"),
    Name("la Coupe du Trône", "la Copa del Trono", "the Throne Cup", "كأس العرش"),
    Name("la Ligue des champions de la CAF", "la Liga de Campeones de la CAF", "the CAF Champions League", "دوري أبطال إفريقيا"),
)  # fmt: skip

INDICATORS = (  # (indicator, institution that publishes it)
    (Name("l'inflation", "la inflación", "inflation", "التضخم"), 0),
    (Name("le taux de chômage", "la tasa de paro", "the unemployment rate", "معدل البطالة"), 0),
    (Name("la croissance économique", "el crecimiento económico", "economic growth", "النمو الاقتصادي"), 0),
    (Name("le taux directeur", "el tipo de interés de referencia", "the key interest rate", "سعر الفائدة الرئيسي"), 1),
    (Name("le déficit commercial", "el déficit comercial", "the trade deficit", "العجز التجاري"), 2),
)  # fmt: skip
INSTITUTIONS = (
    Name("le Haut-Commissariat au Plan (HCP)", "el Alto Comisionado del Plan (HCP)", "the High Commission for Planning (HCP)", "المندوبية السامية للتخطيط"),
    Name("Bank Al-Maghrib", "Bank Al-Maghrib", "Bank Al-Maghrib", "بنك المغرب"),
    Name("l'Office des changes", "la Oficina de Cambios", "the Foreign Exchange Office", "مكتب الصرف"),
)  # fmt: skip

FESTIVALS = (
    (Name("le Festival international du film de Marrakech", "el Festival Internacional de Cine de Marrakech", "the Marrakech International Film Festival", "المهرجان الدولي للفيلم بمراكش"), 2),
    (Name("le Festival Gnaoua et musiques du monde d'Essaouira", "el Festival Gnaoua de Esauira", "the Gnaoua World Music Festival in Essaouira", "مهرجان كناوة وموسيقى العالم بالصويرة"), 16),
    (Name("le Festival de Fès des musiques sacrées du monde", "el Festival de Músicas Sagradas de Fez", "the Fes Festival of World Sacred Music", "مهرجان فاس للموسيقى العالمية العريقة"), 3),
    (Name("le Festival du cinéma méditerranéen de Tétouan", "el Festival de Cine Mediterráneo de Tetuán", "the Tetouan Mediterranean Film Festival", "مهرجان تطوان لسينما البحر الأبيض المتوسط"), 8),
    (Name("le Salon international de l'édition et du livre de Rabat", "la Feria Internacional del Libro de Rabat", "the Rabat International Book Fair", "المعرض الدولي للنشر والكتاب بالرباط"), 1),
)  # fmt: skip
WORKS = (
    Name("« Les Vents du Sud »", "«Los vientos del sur»", "\"Southern Winds\"", "«رياح الجنوب»"),
    Name("« La Dernière Récolte »", "«La última cosecha»", "\"The Last Harvest\"", "«الحصاد الأخير»"),
    Name("« Sable et Sel »", "«Arena y sal»", "\"Sand and Salt\"", "«رمل وملح»"),
    Name("« Le Pont de Tanger »", "«El puente de Tánger»", "\"The Tangier Bridge\"", "«جسر طنجة»"),
    Name("« Nuits d'Ifrane »", "«Noches de Ifrane»", "\"Ifrane Nights\"", "«ليالي إفران»"),
    Name("« La Maison bleue »", "«La casa azul»", "\"The Blue House\"", "«البيت الأزرق»"),
)  # fmt: skip

VEHICLES = (
    Name("autocar", "autobús", "bus", "حافلة"), Name("camion", "camión", "truck", "شاحنة"),
    Name("grand taxi", "taxi colectivo", "shared taxi", "سيارة أجرة كبيرة"),
    Name("minibus", "minibús", "minibus", "حافلة صغيرة"),
)  # fmt: skip
OFFICIALS = (
    Name("gouverneur de la province", "gobernador de la provincia", "the provincial governor", "عامل الإقليم"),
    Name("directeur de l'hôpital provincial", "director del hospital provincial", "director of the provincial hospital", "مدير المستشفى الإقليمي"),
    Name("porte-parole de la protection civile", "portavoz de la Protección Civil", "a civil protection spokesperson", "الناطق باسم الوقاية المدنية"),
)  # fmt: skip
CHARGES = (
    Name("détournement de deniers publics", "malversación de fondos públicos", "embezzlement of public funds", "تبديد أموال عمومية"),
    Name("trafic international de drogue", "tráfico internacional de drogas", "international drug trafficking", "الاتجار الدولي في المخدرات"),
    Name("escroquerie immobilière", "estafa inmobiliaria", "property fraud", "النصب العقاري"),
    Name("corruption", "corrupción", "corruption", "الرشوة"),
)  # fmt: skip
BILLS = (
    Name("le projet de loi sur le système électoral", "el proyecto de ley sobre el sistema electoral", "the bill on the electoral system", "مشروع القانون المتعلق بالنظام الانتخابي"),
    Name("le projet de loi sur la grève", "el proyecto de ley sobre la huelga", "the bill on the right to strike", "مشروع القانون التنظيمي للإضراب"),
    Name("le projet de loi de finances", "el proyecto de ley de presupuestos", "the finance bill", "مشروع قانون المالية"),
    Name("le projet de loi sur les peines alternatives", "el proyecto de ley sobre penas alternativas", "the bill on alternative sentences", "مشروع القانون المتعلق بالعقوبات البديلة"),
    Name("le projet de loi sur l'eau", "el proyecto de ley sobre el agua", "the water bill", "مشروع القانون المتعلق بالماء"),
)  # fmt: skip
CHAMBERS = (
    Name("la Chambre des représentants", "la Cámara de Representantes", "the House of Representatives", "مجلس النواب"),
    Name("la Chambre des conseillers", "la Cámara de Consejeros", "the House of Councillors", "مجلس المستشارين"),
)  # fmt: skip
REGIONS = (
    Name("le Rif", "el Rif", "the Rif", "الريف"), Name("le Moyen Atlas", "el Atlas Medio", "the Middle Atlas", "الأطلس المتوسط"),
    Name("le Haut Atlas", "el Alto Atlas", "the High Atlas", "الأطلس الكبير"), Name("l'Oriental", "la región Oriental", "the Oriental region", "الجهة الشرقية"),
    Name("le Souss", "el Sus", "the Souss", "سوس"), Name("le Gharb", "el Garb", "the Gharb", "الغرب"),
)  # fmt: skip

WEEKDAYS = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "ar": ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"),
}
MONTHS = {
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
           "octubre", "noviembre", "diciembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
    "ar": ("يناير", "فبراير", "مارس", "أبريل", "ماي", "يونيو", "يوليوز", "غشت", "شتنبر", "أكتوبر",
           "نونبر", "دجنبر"),
}
QUARTERS = {"fr": "{q}e trimestre", "es": "{q}º trimestre", "en": "Q{q}", "ar": "الفصل {q}"}
ARABIC_DIGITS = str.maketrans("0123456789,.", "٠١٢٣٤٥٦٧٨٩٫٬")


# --- figures, written the way each language (and each outlet) writes them ------------------------


@dataclass(frozen=True)
class Count:
    value: int


@dataclass(frozen=True)
class Pct:
    value: float  # one decimal


@dataclass(frozen=True)
class Money:
    millions: int  # of dirhams


@dataclass(frozen=True)
class Rate:
    value: float  # two decimals, e.g. an exchange rate


def _group(n: int, separator: str) -> str:
    text = str(n)
    groups = []
    while len(text) > 3:
        groups.insert(0, text[-3:])
        text = text[:-3]
    return separator.join([text, *groups])


def write_count(n: int, language: str, eastern: bool = False) -> str:
    if n < 10000 and language != "en":
        text = str(n) if n < 1000 or language == "ar" else _group(n, "." if language == "es" else " ")
    else:
        text = _group(n, {"fr": " ", "es": ".", "en": ",", "ar": "."}[language])
    return text.translate(ARABIC_DIGITS) if eastern else text


def write_decimal(x: float, language: str, places: int = 1, eastern: bool = False) -> str:
    text = f"{x:.{places}f}"
    if language != "en":
        text = text.replace(".", ",")
    return text.translate(ARABIC_DIGITS) if eastern else text


def write_pct(x: float, language: str, eastern: bool = False) -> str:
    number = write_decimal(x, language, 1, eastern)
    return {"fr": f"{number} %", "es": f"{number}%", "en": f"{number}%",
            "ar": f"{number} في المائة"}[language]


def write_money(millions: int, language: str, eastern: bool = False) -> str:
    if millions >= 1000:
        billions = write_decimal(millions / 1000, language, 1, eastern).replace(",0", "").replace(".0", "")
        word = "milliard" if millions < 2000 else "milliards"
        return {"fr": f"{billions} {word} de dirhams", "es": f"{write_count(millions, 'es', eastern)} millones de dírhams",
                "en": f"{billions} billion dirhams", "ar": f"{billions} مليار درهم"}[language]
    number = write_count(millions, language, eastern)
    return {"fr": f"{number} millions de dirhams", "es": f"{number} millones de dírhams",
            "en": f"{number} million dirhams", "ar": f"{number} مليون درهم"}[language]


def render(value, language: str, eastern: bool = False) -> str:
    if isinstance(value, Name):
        return value.get(language)
    if isinstance(value, Count):
        return write_count(value.value, language, eastern)
    if isinstance(value, Pct):
        return write_pct(value.value, language, eastern)
    if isinstance(value, Money):
        return write_money(value.millions, language, eastern)
    if isinstance(value, Rate):
        return write_decimal(value.value, language, 2, eastern)
    if isinstance(value, int):
        text = str(value)
        return text.translate(ARABIC_DIGITS) if eastern else text
    return str(value)


# --- what outlets write: for each kind of event and language, titles, leads, facts, background --
# A pack: "titles", "leads" (first paragraph), "body" (sentences with the event's facts) and
# "context" (background sentences that every event of the kind shares).

ACCIDENT = {
    "fr": {
        "titles": (
            "{city} : {dead} morts et {injured} blessés dans le renversement d'un {vehicle}",
            "Drame sur la route près de {city} : {dead} morts",
            "Accident d'un {vehicle} près de {city} : le bilan s'alourdit à {dead} morts",
            "{dead} morts dans un accident de la circulation sur la route de {city2}",
        ),
        "leads": (
            "Au moins {dead} personnes ont trouvé la mort et {injured} autres ont été blessées, {weekday}, dans le renversement d'un {vehicle} près de {city}, selon les autorités locales.",
            "Un grave accident de la circulation s'est produit {weekday} sur la route reliant {city} à {city2}, faisant {dead} morts et {injured} blessés.",
            "Le bilan de l'accident survenu {weekday} près de {city} s'établit à {dead} morts et {injured} blessés, a indiqué la protection civile.",
        ),
        "body": (
            "Les blessés ont été transférés au centre hospitalier provincial de {city} pour y recevoir les soins nécessaires.",
            "Une enquête a été ouverte sous la supervision du parquet compétent pour déterminer les circonstances de ce drame.",
            "Le {vehicle} transportait {passengers} passagers au moment de l'accident, selon une source locale.",
            "Selon les premiers éléments, le conducteur aurait perdu le contrôle du véhicule dans un virage.",
            "{person}, {official}, a fait état de {serious} blessés dans un état grave.",
            "Le véhicule assurait la liaison entre {city} et {city2} lorsqu'il a quitté la chaussée.",
        ),
        "context": (
            "Les accidents de la route restent une préoccupation majeure au Maroc, où ils font chaque année plusieurs milliers de victimes.",
            "L'Agence nationale de la sécurité routière multiplie les campagnes de sensibilisation à l'approche des vacances.",
            "La vitesse excessive et le non-respect du code de la route figurent parmi les principales causes des accidents.",
        ),
    },
    "ar": {
        "titles": (
            "مصرع {dead} أشخاص وإصابة {injured} آخرين في انقلاب {vehicle} قرب {city}",
            "حادثة سير مروعة قرب {city} تخلف {dead} قتلى",
            "ارتفاع حصيلة حادثة {city} إلى {dead} قتلى و{injured} مصابا",
        ),
        "leads": (
            "لقي {dead} أشخاص مصرعهم وأصيب {injured} آخرون بجروح، يوم {weekday}، إثر انقلاب {vehicle} بالقرب من مدينة {city}، حسب ما أفادت به السلطات المحلية.",
            "خلفت حادثة سير خطيرة وقعت يوم {weekday} على الطريق الرابطة بين {city} و{city2} مصرع {dead} أشخاص وإصابة {injured} آخرين.",
        ),
        "body": (
            "وتم نقل المصابين إلى المركز الاستشفائي الإقليمي ب{city} لتلقي العلاجات الضرورية.",
            "وفتحت السلطات المختصة تحقيقا تحت إشراف النيابة العامة لتحديد ظروف وملابسات هذه الحادثة.",
            "وكانت المركبة تقل {passengers} راكبا لحظة وقوع الحادث، وفق مصدر محلي.",
            "وأفاد {person}، {official}، بأن {serious} من المصابين في حالة حرجة.",
        ),
        "context": (
            "وتظل حوادث السير من أبرز الإشكاليات التي يعاني منها المغرب، إذ تخلف سنويا آلاف الضحايا.",
            "وتكثف الوكالة الوطنية للسلامة الطرقية حملاتها التحسيسية مع اقتراب العطل.",
        ),
    },
    "es": {
        "titles": (
            "Al menos {dead} muertos y {injured} heridos al volcar un {vehicle} cerca de {city}",
            "Tragedia en la carretera de {city}: {dead} muertos en un accidente de tráfico",
        ),
        "leads": (
            "Al menos {dead} personas murieron y otras {injured} resultaron heridas el {weekday} al volcar un {vehicle} cerca de {city}, según las autoridades locales.",
            "Un grave accidente de tráfico ocurrido el {weekday} en la carretera que une {city} con {city2} se saldó con {dead} muertos y {injured} heridos.",
        ),
        "body": (
            "Los heridos fueron trasladados al hospital provincial de {city}.",
            "La fiscalía ha abierto una investigación para esclarecer las circunstancias del siniestro.",
            "El {vehicle} transportaba a {passengers} pasajeros en el momento del accidente, según una fuente local.",
            "{person}, {official}, indicó que {serious} de los heridos se encuentran en estado grave.",
        ),
        "context": (
            "Los accidentes de tráfico causan cada año miles de víctimas en Marruecos.",
            "El exceso de velocidad figura entre las principales causas de la siniestralidad vial en el país.",
        ),
    },
    "en": {
        "titles": (
            "{dead} killed, {injured} injured as {vehicle} overturns near {city}",
            "Road crash near {city} leaves {dead} dead",
        ),
        "leads": (
            "At least {dead} people were killed and {injured} others injured on {weekday} when a {vehicle} overturned near {city}, local authorities said.",
            "A serious road accident on {weekday} on the road linking {city} and {city2} left {dead} people dead and {injured} injured.",
        ),
        "body": (
            "The injured were taken to the provincial hospital in {city}.",
            "Prosecutors have opened an investigation into the circumstances of the crash.",
            "The {vehicle} was carrying {passengers} passengers at the time of the accident, according to a local source.",
            "{person}, {official}, said {serious} of the injured were in critical condition.",
        ),
        "context": (
            "Road accidents kill thousands of people in Morocco every year.",
            "Speeding is among the main causes of road accidents in the country.",
        ),
    },
}

MATCH = {
    "fr": {
        "titles": (
            "{competition} : {team1} s'impose {s1}-{s2} face à {team2}",
            "{team1} - {team2} ({s1}-{s2}) : {scorer} offre la victoire",
            "Football : {team1} bat {team2} et prend l'avantage",
            "{team2} chute à domicile face à {team1} ({s1}-{s2})",
        ),
        "leads": (
            "{team1} a battu {team2} sur le score de {s1} buts à {s2}, {weekday} à {city}, pour le compte de {competition}.",
            "Devant {spectators} spectateurs, {team1} s'est imposé {s1}-{s2} face à {team2}, {weekday}, en match de {competition}.",
            "Victoire précieuse pour {team1}, vainqueur de {team2} ({s1}-{s2}) {weekday} soir à {city}.",
        ),
        "body": (
            "{scorer} a ouvert le score à la {minute}e minute d'une frappe enroulée.",
            "{team2} a dominé la première période sans parvenir à concrétiser ses occasions.",
            "L'entraîneur {coach} s'est félicité de l'état d'esprit de ses joueurs après la rencontre.",
            "Le match s'est joué devant {spectators} spectateurs au grand stade de {city}.",
            "Grâce à ce succès, {team1} compte désormais {points} points au classement.",
            "{scorer}, auteur du but décisif, a été désigné homme du match.",
        ),
        "context": (
            "La compétition entre dans sa phase décisive, avec des écarts resserrés en haut du classement.",
            "Les supporters avaient rempli les tribunes bien avant le coup d'envoi.",
            "La commission d'arbitrage a désigné un trio arbitral expérimenté pour cette affiche.",
        ),
    },
    "ar": {
        "titles": (
            "{team1} يفوز على {team2} بنتيجة {s1}-{s2} في {competition}",
            "{scorer} يقود {team1} للفوز على {team2}",
            "{team2} يسقط أمام {team1} ({s1}-{s2})",
        ),
        "leads": (
            "حقق فريق {team1} فوزا على {team2} بنتيجة {s1} أهداف مقابل {s2}، في المباراة التي جمعتهما يوم {weekday} ب{city} برسم {competition}.",
            "أمام {spectators} متفرج، تغلب {team1} على {team2} بنتيجة {s1}-{s2}، يوم {weekday}، ضمن منافسات {competition}.",
        ),
        "body": (
            "وافتتح {scorer} باب التسجيل في الدقيقة {minute} بتسديدة قوية.",
            "وسيطر {team2} على مجريات الشوط الأول دون أن يترجم فرصه إلى أهداف.",
            "وأشاد المدرب {coach} بروح لاعبيه بعد نهاية المباراة.",
            "وبهذا الفوز رفع {team1} رصيده إلى {points} نقطة في الترتيب.",
        ),
        "context": (
            "وتدخل المنافسة مرحلتها الحاسمة مع تقارب النقاط في صدارة الترتيب.",
            "وكانت الجماهير قد ملأت المدرجات قبل انطلاق المباراة بساعات.",
        ),
    },
    "es": {
        "titles": (
            "{team1} vence {s1}-{s2} a {team2} en {competition}",
            "{scorer} da la victoria al {team1} ante el {team2}",
        ),
        "leads": (
            "El {team1} se impuso por {s1} a {s2} al {team2} el {weekday} en {city}, en partido de {competition}.",
            "Ante {spectators} espectadores, el {team1} derrotó {s1}-{s2} al {team2} el {weekday}.",
        ),
        "body": (
            "{scorer} abrió el marcador en el minuto {minute} con un disparo colocado.",
            "El {team2} dominó la primera parte sin lograr materializar sus ocasiones.",
            "El entrenador {coach} elogió la actitud de sus jugadores tras el encuentro.",
            "Con esta victoria, el {team1} suma {points} puntos en la clasificación.",
        ),
        "context": (
            "La competición entra en su fase decisiva, con diferencias mínimas en la parte alta de la tabla.",
        ),
    },
    "en": {
        "titles": (
            "{team1} beat {team2} {s1}-{s2} in {competition}",
            "{scorer} fires {team1} past {team2}",
        ),
        "leads": (
            "{team1} beat {team2} {s1}-{s2} on {weekday} in {city} in {competition}.",
            "In front of {spectators} fans, {team1} defeated {team2} {s1}-{s2} on {weekday}.",
        ),
        "body": (
            "{scorer} opened the scoring in the {minute}th minute with a curling shot.",
            "{team2} dominated the first half but failed to convert their chances.",
            "Coach {coach} praised his players' attitude after the game.",
            "The win takes {team1} to {points} points in the standings.",
        ),
        "context": (
            "The competition is entering its decisive phase, with narrow gaps at the top of the table.",
        ),
    },
}

INDICATOR = {
    "fr": {
        "titles": (
            "{institution_short} : {indicator} à {value} au {quarter} {year}",
            "{Indicator} : {value} au {quarter}, selon {institution_short}",
            "{Indicator} passe de {previous} à {value}, annonce {institution_short}",
        ),
        "leads": (
            "{Indicator} s'est établi à {value} au {quarter} {year}, contre {previous} un an auparavant, selon {institution}.",
            "Selon une note publiée {weekday} par {institution}, {indicator} a atteint {value} au {quarter} {year}.",
            "{Institution} relève, pour {indicator}, un niveau de {value} au {quarter} {year}, après {previous} au trimestre précédent.",
        ),
        "body": (
            "Cette évolution s'explique notamment par la hausse des prix des produits alimentaires de {food}.",
            "En milieu urbain, le chiffre atteint {urban}, contre {rural} en milieu rural.",
            "{person}, économiste, estime que cette tendance devrait se poursuivre jusqu'à la fin de l'année {year}.",
            "La note relève également un écart important entre les régions, {city} affichant le niveau le plus élevé.",
            "Les prévisions de {institution_short} tablent sur un chiffre de {forecast} pour l'ensemble de l'année.",
        ),
        "context": (
            "Les indicateurs conjoncturels sont suivis de près par les opérateurs économiques et les pouvoirs publics.",
            "La publication de ces chiffres intervient dans un contexte de ralentissement de l'activité mondiale.",
            "Les économistes appellent à la prudence dans l'interprétation des données trimestrielles.",
        ),
    },
    "ar": {
        "titles": (
            "{institution}: {indicator} يبلغ {value} خلال {quarter} من سنة {year}",
            "{indicator} ينتقل من {previous} إلى {value} حسب {institution}",
        ),
        "leads": (
            "بلغ {indicator} {value} خلال {quarter} من سنة {year}، مقابل {previous} قبل سنة، حسب {institution}.",
            "أفادت {institution}، في مذكرة نشرتها يوم {weekday}، بأن {indicator} بلغ {value} خلال {quarter} من سنة {year}.",
        ),
        "body": (
            "ويعزى هذا التطور أساسا إلى ارتفاع أسعار المواد الغذائية بنسبة {food}.",
            "وفي الوسط الحضري بلغ هذا المؤشر {urban}، مقابل {rural} في الوسط القروي.",
            "ويرى الخبير الاقتصادي {person} أن هذا المنحى سيستمر إلى غاية نهاية سنة {year}.",
            "وتتوقع {institution} أن يبلغ هذا المؤشر {forecast} خلال مجموع السنة.",
        ),
        "context": (
            "ويتابع الفاعلون الاقتصاديون والسلطات العمومية هذه المؤشرات الظرفية عن كثب.",
            "ويأتي نشر هذه الأرقام في سياق يتسم بتباطؤ النشاط الاقتصادي العالمي.",
        ),
    },
    "es": {
        "titles": (
            "{Indicator} en Marruecos se sitúa en el {value} en el {quarter} de {year}",
            "{Indicator} pasa del {previous} al {value}, según {institution_short}",
        ),
        "leads": (
            "{Indicator} se situó en el {value} en el {quarter} de {year}, frente al {previous} un año antes, según {institution}.",
            "Según una nota publicada el {weekday} por {institution}, {indicator} alcanzó el {value} en el {quarter} de {year}.",
        ),
        "body": (
            "Esta evolución se explica sobre todo por el alza de los precios de los alimentos, del {food}.",
            "En el medio urbano la cifra alcanza el {urban}, frente al {rural} en el medio rural.",
            "El economista {person} considera que la tendencia se mantendrá hasta finales de {year}.",
        ),
        "context": (
            "Los indicadores coyunturales son seguidos de cerca por los operadores económicos.",
        ),
    },
    "en": {
        "titles": (
            "Morocco's {indicator} at {value} in {quarter} {year}",
            "{Indicator} moves from {previous} to {value}, {institution_short} says",
        ),
        "leads": (
            "{Indicator} in Morocco stood at {value} in {quarter} {year}, against {previous} a year earlier, according to {institution}.",
            "{Institution} said on {weekday} that {indicator} reached {value} in {quarter} {year}.",
        ),
        "body": (
            "The change is mainly due to higher food prices, up {food}.",
            "In urban areas the figure reached {urban}, against {rural} in rural areas.",
            "Economist {person} expects the trend to continue until the end of {year}.",
        ),
        "context": (
            "Business leaders and policymakers follow these quarterly indicators closely.",
        ),
    },
}

RESULTS = {
    "fr": {
        "titles": (
            "{company} : chiffre d'affaires en hausse de {change} au {quarter}",
            "Résultats trimestriels : {company} réalise {revenue} de chiffre d'affaires",
            "{company} affiche un résultat net de {net} au {quarter} {year}",
        ),
        "leads": (
            "{company} a réalisé un chiffre d'affaires de {revenue} au {quarter} {year}, en hausse de {change} sur un an, selon sa communication financière.",
            "Le groupe {company} annonce un chiffre d'affaires consolidé de {revenue} au titre du {quarter} {year}, soit une progression de {change}.",
        ),
        "body": (
            "Le résultat net part du groupe ressort à {net}, porté par la bonne tenue de l'activité.",
            "Le président-directeur général, {person}, évoque un carnet de commandes solide pour les prochains mois.",
            "L'endettement net a été réduit à {debt} à fin septembre.",
            "La société prévoit d'investir {capex} d'ici {year2} dans ses capacités de production.",
            "Le titre {company} a gagné {stock} à la Bourse de Casablanca dans la foulée de l'annonce.",
        ),
        "context": (
            "La saison des publications trimestrielles bat son plein à la Bourse de Casablanca.",
            "Les analystes saluent la résilience des entreprises cotées malgré un environnement exigeant.",
        ),
    },
    "ar": {
        "titles": (
            "رقم معاملات {company} يرتفع ب{change} خلال {quarter}",
            "{company} تحقق نتيجة صافية ب{net}",
        ),
        "leads": (
            "حققت شركة {company} رقم معاملات بلغ {revenue} خلال {quarter} من سنة {year}، بارتفاع نسبته {change} على أساس سنوي، حسب بلاغ مالي.",
        ),
        "body": (
            "وبلغت النتيجة الصافية حصة المجموعة {net}.",
            "وأكد الرئيس المدير العام {person} أن دفتر الطلبيات يبقى قويا خلال الأشهر المقبلة.",
            "وتعتزم الشركة استثمار {capex} في أفق سنة {year2}.",
        ),
        "context": ("ويتواصل موسم نشر النتائج الفصلية في بورصة الدار البيضاء.",),
    },
    "es": {
        "titles": ("{company} aumenta su facturación un {change} en el {quarter}",),
        "leads": (
            "{company} registró una facturación de {revenue} en el {quarter} de {year}, un {change} más que un año antes.",
        ),
        "body": (
            "El beneficio neto atribuido al grupo se situó en {net}.",
            "Su consejero delegado, {person}, destacó la solidez de la cartera de pedidos.",
            "La empresa prevé invertir {capex} hasta {year2}.",
        ),
        "context": ("La temporada de resultados trimestrales continúa en la Bolsa de Casablanca.",),
    },
    "en": {
        "titles": ("{company} revenue up {change} in {quarter}", "{company} posts {net} net profit"),
        "leads": (
            "{company} reported revenue of {revenue} in {quarter} {year}, up {change} year on year, the company said.",
        ),
        "body": (
            "Net profit attributable to the group came to {net}.",
            "Chief executive {person} pointed to a solid order book for the coming months.",
            "The company plans to invest {capex} by {year2}.",
        ),
        "context": ("The quarterly earnings season continues on the Casablanca Stock Exchange.",),
    },
}

VISIT = {
    "fr": {
        "titles": (
            "{Country} et le Maroc signent {agreements} accords de coopération à {city}",
            "{minister} à {city} pour renforcer le partenariat avec le Maroc",
            "Coopération : {agreements} accords signés avec {country} dans {sector}",
        ),
        "leads": (
            "Le Maroc et {country} ont signé {weekday} à {city} {agreements} accords de coopération portant notamment sur {sector}, à l'occasion de la visite de {minister}.",
            "En visite {weekday} à {city}, le ministre {minister} s'est entretenu avec son homologue marocain {person} du renforcement de la coopération bilatérale.",
        ),
        "body": (
            "Les deux parties ont convenu de mobiliser une enveloppe de {amount} pour des projets communs dans {sector}.",
            "{person} a salué « la qualité exceptionnelle » des relations entre le Maroc et {country}.",
            "{minister} a annoncé la tenue d'un forum d'affaires à {city} avant la fin de l'année {year}.",
            "Les échanges commerciaux entre les deux pays ont progressé de {trade} l'an dernier.",
            "Une commission mixte se réunira dans les six mois pour assurer le suivi des {agreements} accords.",
        ),
        "context": (
            "Le Royaume poursuit la diversification de ses partenariats, en Afrique comme en Europe.",
            "La diplomatie marocaine multiplie les rencontres bilatérales depuis le début de l'année.",
        ),
    },
    "ar": {
        "titles": (
            "المغرب و{country} يوقعان {agreements} اتفاقيات للتعاون ب{city}",
            "{minister} في زيارة إلى {city} لتعزيز الشراكة مع المغرب",
        ),
        "leads": (
            "وقع المغرب و{country}، يوم {weekday} ب{city}، {agreements} اتفاقيات للتعاون تهم على الخصوص مجال {sector}، بمناسبة زيارة {minister}.",
            "أجرى الوزير {minister}، يوم {weekday} ب{city}، مباحثات مع نظيره المغربي {person} حول تعزيز التعاون الثنائي.",
        ),
        "body": (
            "واتفق الطرفان على تعبئة غلاف مالي قدره {amount} لمشاريع مشتركة في مجال {sector}.",
            "وأشاد {person} بـ«الجودة الاستثنائية» للعلاقات بين المغرب و{country}.",
            "وأعلن {minister} عن تنظيم منتدى للأعمال ب{city} قبل نهاية سنة {year}.",
            "وارتفعت المبادلات التجارية بين البلدين بنسبة {trade} خلال السنة الماضية.",
        ),
        "context": ("وتواصل المملكة تنويع شراكاتها في إفريقيا وأوروبا.",),
    },
    "es": {
        "titles": (
            "Marruecos y {country} firman {agreements} acuerdos de cooperación en {city}",
            "{minister} viaja a {city} para reforzar la asociación con Marruecos",
        ),
        "leads": (
            "Marruecos y {country} firmaron el {weekday} en {city} {agreements} acuerdos de cooperación sobre {sector}, con motivo de la visita de {minister}.",
            "De visita el {weekday} en {city}, el ministro {minister} se reunió con su homólogo marroquí {person}.",
        ),
        "body": (
            "Ambas partes acordaron movilizar {amount} para proyectos comunes en {sector}.",
            "{person} elogió «la calidad excepcional» de las relaciones entre Marruecos y {country}.",
            "Los intercambios comerciales entre ambos países crecieron un {trade} el año pasado.",
        ),
        "context": ("El Reino sigue diversificando sus alianzas en África y en Europa.",),
    },
    "en": {
        "titles": (
            "Morocco and {country} sign {agreements} cooperation agreements in {city}",
            "{minister} visits {city} to boost partnership with Morocco",
        ),
        "leads": (
            "Morocco and {country} signed {agreements} cooperation agreements in {city} on {weekday}, covering {sector}, during a visit by {minister}.",
            "Visiting {city} on {weekday}, minister {minister} held talks with his Moroccan counterpart {person}.",
        ),
        "body": (
            "The two sides agreed to mobilise {amount} for joint projects in {sector}.",
            "{person} praised the \"exceptional quality\" of relations between Morocco and {country}.",
            "Trade between the two countries grew {trade} last year.",
        ),
        "context": ("The Kingdom keeps diversifying its partnerships in Africa and Europe.",),
    },
}

LAW = {
    "fr": {
        "titles": (
            "{Chamber} adopte {bill}",
            "{Bill} approuvé par {yes} voix au Parlement",
            "Parlement : feu vert pour {bill}",
        ),
        "leads": (
            "{Chamber} a adopté {weekday}, en séance plénière, {bill}, par {yes} voix pour, {no} contre et {abstain} abstentions.",
            "{Bill} a été approuvé {weekday} par {chamber}, avec {yes} voix pour et {no} voix contre.",
        ),
        "body": (
            "Le texte a été présenté par le ministre {person}, qui a défendu « une réforme attendue ».",
            "L'opposition a dénoncé un passage en force et déposé {amendments} amendements, tous rejetés.",
            "Le texte sera transmis à la seconde chambre dans les prochains jours.",
            "{person2}, député de {city}, a regretté l'absence de concertation avec la société civile.",
        ),
        "context": (
            "La session parlementaire d'automne est marquée par l'examen de plusieurs textes structurants.",
            "Le gouvernement a inscrit une série de réformes à l'agenda législatif de l'année.",
        ),
    },
    "ar": {
        "titles": ("{chamber} يصادق على {bill}", "المصادقة على {bill} بأغلبية {yes} صوتا"),
        "leads": (
            "صادق {chamber}، يوم {weekday} في جلسة عامة، على {bill}، بموافقة {yes} نائبا ومعارضة {no} وامتناع {abstain} عن التصويت.",
        ),
        "body": (
            "وقدم النص الوزير {person} الذي دافع عن «إصلاح طال انتظاره».",
            "وانتقدت المعارضة ما وصفته بالتمرير بالقوة وقدمت {amendments} تعديلا تم رفضها جميعا.",
            "وأعرب {person2}، النائب عن دائرة {city}، عن أسفه لغياب التشاور مع المجتمع المدني.",
        ),
        "context": ("وتتميز الدورة التشريعية الخريفية بدراسة عدة نصوص مهيكلة.",),
    },
    "es": {
        "titles": ("{Chamber} aprueba {bill}",),
        "leads": (
            "{Chamber} aprobó el {weekday} en sesión plenaria {bill}, con {yes} votos a favor, {no} en contra y {abstain} abstenciones.",
        ),
        "body": (
            "El texto fue presentado por el ministro {person}, que defendió «una reforma esperada».",
            "La oposición presentó {amendments} enmiendas, todas rechazadas.",
        ),
        "context": ("El periodo de sesiones de otoño está marcado por varias reformas de calado.",),
    },
    "en": {
        "titles": ("{Chamber} passes {bill}",),
        "leads": (
            "{Chamber} passed {bill} in a plenary session on {weekday}, with {yes} votes in favour, {no} against and {abstain} abstentions.",
        ),
        "body": (
            "The text was presented by minister {person}, who defended \"a long-awaited reform\".",
            "The opposition tabled {amendments} amendments, all of which were rejected.",
        ),
        "context": ("The autumn session of parliament is examining several major reforms.",),
    },
}

FESTIVAL = {
    "fr": {
        "titles": (
            "{Festival} : {work} de {winner} remporte le grand prix",
            "Le grand prix de la {edition}e édition décerné à {work}",
            "{winner} sacré à {city} pour {work}",
        ),
        "leads": (
            "Le grand prix de la {edition}e édition du {festival_bare} a été décerné {weekday} soir à {work}, de {winner}.",
            "{winner} a remporté {weekday} le grand prix du {festival_bare} pour {work}, devant un public nombreux.",
        ),
        "body": (
            "Le jury, présidé par {person}, a salué « une œuvre d'une grande justesse ».",
            "Cette édition a accueilli {spectators} spectateurs, un record selon les organisateurs.",
            "Au total, {entries} œuvres venues de {countries} pays étaient en compétition.",
            "Très ému, {winner} a dédié son prix « à toutes les femmes et à tous les hommes de {city} ».",
            "Le prix du jury est revenu à {work2}.",
        ),
        "context": (
            "Le festival s'est imposé comme un rendez-vous culturel majeur du Royaume.",
            "Les organisateurs misent sur une ouverture accrue au jeune public.",
        ),
    },
    "ar": {
        "titles": ("{work} ل{winner} يتوج بالجائزة الكبرى في {festival}", "تتويج {winner} في {city} عن {work}"),
        "leads": (
            "توج {work} ل{winner}، مساء يوم {weekday}، بالجائزة الكبرى للدورة {edition} من {festival}.",
        ),
        "body": (
            "وأشادت لجنة التحكيم، برئاسة {person}، بـ«عمل على قدر كبير من الصدق».",
            "واستقطبت هذه الدورة {spectators} متفرج، وهو رقم قياسي حسب المنظمين.",
            "وتنافست {entries} عملا من {countries} بلدا على جوائز هذه الدورة.",
        ),
        "context": ("وقد أصبح المهرجان موعدا ثقافيا بارزا في المملكة.",),
    },
    "es": {
        "titles": ("{work}, de {winner}, gran premio en {festival}",),
        "leads": (
            "{work}, de {winner}, se alzó el {weekday} con el gran premio en {festival}, que celebraba su {edition}ª edición.",
        ),
        "body": (
            "El jurado, presidido por {person}, destacó «una obra de gran precisión».",
            "Esta edición reunió a {spectators} espectadores, un récord según los organizadores.",
            "En total compitieron {entries} obras de {countries} países.",
        ),
        "context": ("El festival se ha consolidado como una cita cultural de primer orden en Marruecos.",),
    },
    "en": {
        "titles": ("{winner}'s {work} wins top prize at {festival}",),
        "leads": (
            "{work} by {winner} won the grand prize of the {edition}th edition of {festival} on {weekday} evening.",
        ),
        "body": (
            "The jury, chaired by {person}, praised \"a work of great accuracy\".",
            "This edition drew {spectators} spectators, a record according to the organisers.",
            "A total of {entries} works from {countries} countries were in competition.",
        ),
        "context": ("The festival has become a major cultural event in the Kingdom.",),
    },
}

VERDICT = {
    "fr": {
        "titles": (
            "{city} : {years} ans de prison ferme pour {defendant}",
            "Affaire de {charge} : {defendant} condamné à {years} ans",
            "Verdict dans le dossier de {charge} à {city}",
        ),
        "leads": (
            "La chambre criminelle près la cour d'appel de {city} a condamné {weekday} {defendant} à {years} ans de prison ferme pour {charge}.",
            "{defendant}, poursuivi pour {charge}, a écopé {weekday} de {years} ans de prison ferme devant la cour d'appel de {city}.",
        ),
        "body": (
            "Ses {accomplices} coaccusés ont été condamnés à des peines allant de un à {lesser} ans.",
            "Le tribunal a également ordonné la restitution de {amount} au Trésor.",
            "La défense, conduite par Me {person}, a annoncé son intention de faire appel.",
            "L'enquête avait été ouverte il y a {months} mois à la suite d'un rapport de l'Inspection générale des finances.",
        ),
        "context": (
            "Les juridictions ont traité ces derniers mois plusieurs dossiers de même nature.",
            "La lutte contre la criminalité financière figure parmi les priorités affichées du ministère public.",
        ),
    },
    "ar": {
        "titles": ("{years} سنوات سجنا نافذا في حق {defendant} ب{city}", "الحكم على {defendant} ب{years} سنوات بتهمة {charge}"),
        "leads": (
            "قضت غرفة الجنايات لدى محكمة الاستئناف ب{city}، يوم {weekday}، بإدانة {defendant} ب{years} سنوات سجنا نافذا بتهمة {charge}.",
        ),
        "body": (
            "وأدين {accomplices} متهمين آخرين بعقوبات تراوحت بين سنة و{lesser} سنوات.",
            "وأمرت المحكمة بإرجاع {amount} إلى خزينة الدولة.",
            "وأعلن دفاع المتهم، الأستاذ {person}، عزمه استئناف الحكم.",
        ),
        "context": ("وعالجت المحاكم خلال الأشهر الأخيرة عدة ملفات مماثلة.",),
    },
    "es": {
        "titles": ("Condenado a {years} años de cárcel {defendant} por {charge} en {city}",),
        "leads": (
            "El tribunal de apelación de {city} condenó el {weekday} a {defendant} a {years} años de prisión por {charge}.",
        ),
        "body": (
            "Sus {accomplices} coacusados recibieron penas de entre uno y {lesser} años.",
            "El tribunal ordenó además la restitución de {amount} al Tesoro.",
        ),
        "context": ("Los tribunales han juzgado en los últimos meses varios casos similares.",),
    },
    "en": {
        "titles": ("{defendant} jailed for {years} years over {charge} in {city}",),
        "leads": (
            "The appeals court in {city} on {weekday} sentenced {defendant} to {years} years in prison for {charge}.",
        ),
        "body": (
            "His {accomplices} co-defendants received sentences of one to {lesser} years.",
            "The court also ordered the return of {amount} to the Treasury.",
        ),
        "context": ("Courts have handled several similar cases in recent months.",),
    },
}

INVESTMENT = {
    "fr": {
        "titles": (
            "{company} investit {amount} à {city}",
            "{city} : une nouvelle usine de {company} et {jobs} emplois à la clé",
            "Investissement : {company} mise {amount} sur {sector}",
        ),
        "leads": (
            "{company} a lancé {weekday} à {city} la construction d'une unité industrielle de {amount}, qui devrait créer {jobs} emplois directs.",
            "Le ministre {person} a présidé {weekday} à {city} la cérémonie de lancement du projet de {company}, un investissement de {amount} dans {sector}.",
        ),
        "body": (
            "Le site, d'une superficie de {hectares} hectares, devrait entrer en service en {year2}.",
            "Le projet prévoit la création de {jobs} emplois directs et de plusieurs milliers d'emplois indirects.",
            "{person2}, directeur général de {company}, a souligné l'attractivité de la région de {city}.",
            "La production sera destinée à hauteur de {export} à l'exportation.",
        ),
        "context": (
            "La charte de l'investissement accorde des primes aux projets créateurs d'emplois dans les provinces.",
            "Les investissements industriels se multiplient dans les plateformes logistiques du Royaume.",
        ),
    },
    "ar": {
        "titles": ("{company} تستثمر {amount} في {city}", "مصنع جديد ل{company} ب{city} يوفر {jobs} منصب شغل"),
        "leads": (
            "أعطت {company}، يوم {weekday} ب{city}، انطلاقة بناء وحدة صناعية باستثمار قدره {amount}، من المنتظر أن توفر {jobs} منصب شغل مباشر.",
        ),
        "body": (
            "ويمتد الموقع على مساحة {hectares} هكتارا، ومن المرتقب أن يدخل حيز الخدمة سنة {year2}.",
            "وأكد {person2}، المدير العام ل{company}، على جاذبية جهة {city}.",
            "وسيوجه {export} من الإنتاج نحو التصدير.",
        ),
        "context": ("ويمنح ميثاق الاستثمار منحا للمشاريع المحدثة لمناصب الشغل في الأقاليم.",),
    },
    "es": {
        "titles": ("{company} invierte {amount} en {city}",),
        "leads": (
            "{company} inició el {weekday} en {city} la construcción de una planta de {amount} que creará {jobs} empleos directos.",
        ),
        "body": (
            "La planta, de {hectares} hectáreas, entrará en servicio en {year2}.",
            "El {export} de la producción se destinará a la exportación.",
        ),
        "context": ("La carta de inversiones concede primas a los proyectos que crean empleo.",),
    },
    "en": {
        "titles": ("{company} to invest {amount} in {city} plant",),
        "leads": (
            "{company} broke ground on {weekday} in {city} on a {amount} plant expected to create {jobs} direct jobs.",
        ),
        "body": (
            "The {hectares}-hectare site is due to open in {year2}.",
            "Some {export} of the output will be exported.",
        ),
        "context": ("Morocco's investment charter grants subsidies to job-creating projects.",),
    },
}

WEATHER = {
    "fr": {
        "titles": (
            "Bulletin d'alerte : fortes pluies et rafales de vent ce {weekday} dans {region}",
            "Météo : alerte orange sur {region} et {region2} ce {weekday}",
            "Intempéries : jusqu'à {rain} mm de pluie attendus ce {weekday}",
        ),
        "leads": (
            "La Direction générale de la météorologie annonce de fortes averses orageuses, jusqu'à {rain} mm, ce {weekday} sur {region} et {region2}.",
            "Des rafales de vent atteignant {wind} km/h et des chutes de neige au-dessus de {snow} mètres sont attendues ce {weekday} dans {region}, selon un bulletin d'alerte.",
        ),
        "body": (
            "Des chutes de neige sont prévues sur les reliefs dépassant {snow} mètres.",
            "Les rafales de vent pourraient atteindre {wind} km/h localement.",
            "Les températures minimales varieront entre {tmin} et {tmax} degrés.",
            "Les autorités de {city} appellent les usagers de la route à la plus grande prudence.",
        ),
        "context": (
            "La Direction générale de la météorologie recommande de suivre l'évolution des bulletins.",
            "Ces précipitations sont attendues avec impatience par les agriculteurs après plusieurs années de sécheresse.",
        ),
    },
    "ar": {
        "titles": ("نشرة إنذارية: أمطار قوية وهبات رياح يوم {weekday} ب{region}", "زخات رعدية تصل إلى {rain} ملم يوم {weekday}"),
        "leads": (
            "أعلنت المديرية العامة للأرصاد الجوية عن زخات مطرية رعدية قوية تصل إلى {rain} ملم، يوم {weekday}، ب{region} و{region2}.",
        ),
        "body": (
            "ويرتقب تساقط الثلوج فوق المرتفعات التي يتجاوز علوها {snow} متر.",
            "وقد تصل سرعة هبات الرياح إلى {wind} كلم في الساعة.",
            "وتتراوح درجات الحرارة الدنيا بين {tmin} و{tmax} درجات.",
        ),
        "context": ("وتوصي المديرية العامة للأرصاد الجوية بمتابعة تطور النشرات.",),
    },
    "es": {
        "titles": ("Alerta por lluvias de hasta {rain} mm este {weekday} en {region}",),
        "leads": (
            "La Dirección General de Meteorología prevé fuertes chubascos tormentosos, de hasta {rain} mm, este {weekday} en {region} y {region2}.",
        ),
        "body": (
            "Se esperan nevadas por encima de {snow} metros.",
            "Las rachas de viento podrían alcanzar los {wind} km/h.",
        ),
        "context": ("Los agricultores esperan estas lluvias tras varios años de sequía.",),
    },
    "en": {
        "titles": ("Weather alert: up to {rain} mm of rain expected on {weekday} in {region}",),
        "leads": (
            "Morocco's weather service forecasts heavy thunderstorms, with up to {rain} mm of rain, on {weekday} in {region} and {region2}.",
        ),
        "body": (
            "Snow is expected above {snow} metres.",
            "Wind gusts could reach {wind} km/h.",
        ),
        "context": ("Farmers have been waiting for rain after several years of drought.",),
    },
}

FX = {  # a daily item: nearly the same text every day, other figures
    "fr": {
        "titles": ("Cours des devises du {weekday} {day} {month} {year}", "Le dirham face à l'euro et au dollar ce {weekday} {day} {month}"),
        "leads": (
            "Voici les cours des principales devises étrangères publiés par Bank Al-Maghrib pour la journée du {weekday} {day} {month} {year}.",
        ),
        "body": (
            "L'euro s'échange à {euro} dirhams à l'achat.",
            "Le dollar américain est coté à {dollar} dirhams.",
            "La livre sterling s'établit à {pound} dirhams.",
            "Le dirham s'est apprécié de {change} face à l'euro par rapport à la veille.",
        ),
        "context": ("Ces cours sont donnés à titre indicatif et peuvent varier selon les établissements bancaires.",),
    },
    "ar": {
        "titles": ("أسعار صرف العملات ليوم {weekday} {day} {month} {year}",),
        "leads": ("في ما يلي أسعار صرف أهم العملات الأجنبية التي نشرها بنك المغرب ليوم {weekday} {day} {month} {year}.",),
        "body": (
            "ويبلغ سعر صرف الأورو {euro} درهم عند الشراء.",
            "ويبلغ سعر صرف الدولار الأمريكي {dollar} درهم.",
            "وارتفع الدرهم بنسبة {change} مقابل الأورو مقارنة مع اليوم السابق.",
        ),
        "context": ("وتبقى هذه الأسعار إرشادية وقد تختلف حسب المؤسسات البنكية.",),
    },
    "es": {
        "titles": ("Cotización del dírham el {weekday} {day} de {month}",),
        "leads": ("Estas son las cotizaciones de las principales divisas publicadas por Bank Al-Maghrib para el {weekday} {day} de {month} de {year}.",),
        "body": ("El euro se cambia a {euro} dírhams.", "El dólar estadounidense cotiza a {dollar} dírhams."),
        "context": ("Las cotizaciones son orientativas.",),
    },
    "en": {
        "titles": ("Dirham exchange rates for {weekday}, {month} {day}",),
        "leads": ("Here are the exchange rates published by Bank Al-Maghrib for {weekday}, {month} {day}, {year}.",),
        "body": ("The euro trades at {euro} dirhams.", "The US dollar is quoted at {dollar} dirhams."),
        "context": ("The rates are indicative.",),
    },
}

BOURSE = {  # a daily item too
    "fr": {
        "titles": ("Bourse de Casablanca : clôture en {direction_fr} ce {weekday}", "Le MASI termine la séance du {weekday} à {masi} points"),
        "leads": (
            "La Bourse de Casablanca a terminé la séance du {weekday} {day} {month} en {direction_fr}, son indice principal, le MASI, s'établissant à {masi} points ({change}).",
        ),
        "body": (
            "Le volume global des échanges s'est élevé à {volume}.",
            "{company} a signé la plus forte hausse de la séance, à {up}.",
            "Le MASI 20 a terminé à {masi20} points.",
        ),
        "context": ("Les investisseurs restent attentifs aux publications trimestrielles des sociétés cotées.",),
    },
    "ar": {
        "titles": ("بورصة الدار البيضاء تنهي تداولات يوم {weekday} على {direction_ar}",),
        "leads": (
            "أنهت بورصة الدار البيضاء تداولات يوم {weekday} {day} {month} على {direction_ar}، إذ استقر مؤشرها الرئيسي مازي عند {masi} نقطة ({change}).",
        ),
        "body": (
            "وبلغ الحجم الإجمالي للمبادلات {volume}.",
            "وسجلت {company} أقوى ارتفاع خلال الحصة بنسبة {up}.",
        ),
        "context": ("ويظل المستثمرون متابعين لنشر النتائج الفصلية للشركات المدرجة.",),
    },
    "es": {
        "titles": ("La Bolsa de Casablanca cierra el {weekday} con el MASI en {masi} puntos",),
        "leads": ("La Bolsa de Casablanca cerró la sesión del {weekday} con su índice MASI en {masi} puntos ({change}).",),
        "body": ("El volumen de negocio ascendió a {volume}.",),
        "context": ("Los inversores siguen atentos a los resultados trimestrales.",),
    },
    "en": {
        "titles": ("Casablanca Stock Exchange: MASI ends {weekday} at {masi} points",),
        "leads": ("The Casablanca Stock Exchange closed {weekday}'s session with its MASI index at {masi} points ({change}).",),
        "body": ("Trading volume came to {volume}.", "{company} was the session's top gainer, up {up}."),
        "context": ("Investors are watching quarterly results from listed companies.",),
    },
}

KINDS = {
    "accident": ACCIDENT, "match": MATCH, "indicator": INDICATOR, "results": RESULTS,
    "visit": VISIT, "law": LAW, "festival": FESTIVAL, "verdict": VERDICT,
    "investment": INVESTMENT, "weather": WEATHER, "fx": FX, "bourse": BOURSE,
}
DAILY_KINDS = ("fx", "bourse")


# --- events: facts drawn at random, often echoing a recent event of the same kind --------------


def person(rng: random.Random) -> Name:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return Name(*(f"{first.get(lang)} {last.get(lang)}" for lang in ("fr", "es", "en", "ar")))


INSTITUTION_SHORT = (
    Name("HCP", "el HCP", "the HCP", "المندوبية السامية للتخطيط"),
    Name("Bank Al-Maghrib", "Bank Al-Maghrib", "Bank Al-Maghrib", "بنك المغرب"),
    Name("l'Office des changes", "la Oficina de Cambios", "the Foreign Exchange Office", "مكتب الصرف"),
)
FESTIVAL_CITY = {0: 2, 1: 16, 2: 3, 3: 8, 4: 1}  # festival -> index in CITIES


def _pct(rng, low: float, high: float) -> Pct:
    return Pct(round(rng.uniform(low, high), 1))


def _money(rng, low: int, high: int) -> Money:
    value = rng.randrange(low, high)
    return Money(value if value < 1000 else value // 100 * 100)


def _echo(rng: random.Random, recent: list[dict], key: str):
    """A value of a recent event of the same kind (four times in ten), else None."""
    if recent and rng.random() < 0.4:
        return rng.choice(recent[-4:])[key]
    return None


def draw_facts(kind: str, rng: random.Random, recent: list[dict], when: datetime) -> dict:
    f: dict = {"person": person(rng), "person2": person(rng), "year": when.year,
               "year2": when.year + rng.randrange(1, 4)}
    city_index = _echo(rng, recent, "_city")
    if city_index is None:
        city_index = rng.randrange(len(CITIES))
    f["_city"] = city_index
    f["city"] = CITIES[city_index]
    f["city2"] = CITIES[(city_index + rng.randrange(1, len(CITIES))) % len(CITIES)]
    quarter = (when.month - 1) // 3 or 4
    f["quarter"] = Name(*(QUARTERS[lang].format(q=quarter) for lang in ("fr", "es", "en", "ar")))
    if kind in DAILY_KINDS:
        f["_city"], f["city"] = 1, CITIES[1]  # dated from Rabat
    if kind == "accident":
        dead = rng.randrange(2, 15)
        f.update(vehicle=rng.choice(VEHICLES), official=rng.choice(OFFICIALS), dead=Count(dead),
                 injured=Count(rng.randrange(dead + 3, 46)), passengers=Count(rng.randrange(20, 61)),
                 serious=Count(rng.randrange(1, 7)))
    elif kind == "match":
        team1 = _echo(rng, recent, "_team1")
        team1 = rng.randrange(len(TEAMS)) if team1 is None else team1
        team2 = (team1 + rng.randrange(1, len(TEAMS))) % len(TEAMS)
        s2 = rng.randrange(0, 3)
        f.update(_team1=team1, team1=TEAMS[team1], team2=TEAMS[team2], s1=s2 + rng.randrange(1, 3), s2=s2,
                 competition=rng.choice(COMPETITIONS), scorer=person(rng), coach=person(rng),
                 minute=rng.randrange(5, 90), spectators=Count(rng.randrange(8, 46) * 1000 + rng.randrange(1000)),
                 points=rng.randrange(10, 45))
    elif kind == "indicator":
        indicator = rng.randrange(len(INDICATORS))
        echoed = _echo(rng, recent, "_indicator")
        if echoed is not None:  # same institution, another figure
            same_house = [i for i, (_, h) in enumerate(INDICATORS) if h == INDICATORS[echoed][1] and i != echoed]
            indicator = rng.choice(same_house) if same_house else indicator
        name, house = INDICATORS[indicator]
        f.update(_indicator=indicator, indicator=name, institution=INSTITUTIONS[house],
                 institution_short=INSTITUTION_SHORT[house], value=_pct(rng, 0.8, 14),
                 previous=_pct(rng, 0.8, 14), food=_pct(rng, 1, 9), urban=_pct(rng, 1, 18),
                 rural=_pct(rng, 1, 12), forecast=_pct(rng, 1, 9))
    elif kind == "results":
        f.update(company=rng.choice(COMPANIES), revenue=_money(rng, 300, 9000), change=_pct(rng, 1, 30),
                 net=_money(rng, 20, 900), debt=_money(rng, 100, 5000), capex=_money(rng, 100, 3000),
                 stock=_pct(rng, 1, 9))
    elif kind == "visit":  # an echo: another country's minister in the same city
        country = rng.randrange(len(COUNTRIES))
        f.update(_country=country, country=COUNTRIES[country][0], minister=COUNTRIES[country][1],
                 agreements=Count(rng.randrange(2, 13)), sector=rng.choice(SECTORS),
                 amount=_money(rng, 50, 5000), trade=_pct(rng, 2, 40))
    elif kind == "law":  # an echo: the same bill before the other chamber
        bill, chamber = rng.randrange(len(BILLS)), rng.randrange(len(CHAMBERS))
        echoed = _echo(rng, recent, "_bill")
        if echoed is not None:
            bill, chamber = echoed[0], 1 - echoed[1]
        taken = {event["_bill"] for event in recent[-6:]}
        while (bill, chamber) in taken:
            bill, chamber = rng.randrange(len(BILLS)), rng.randrange(len(CHAMBERS))
        f.update(_bill=(bill, chamber), bill=BILLS[bill], chamber=CHAMBERS[chamber], yes=Count(rng.randrange(60, 250)),
                 no=Count(rng.randrange(0, 60)), abstain=Count(rng.randrange(0, 30)),
                 amendments=Count(rng.randrange(5, 80)))
    elif kind == "festival":
        festival = rng.randrange(len(FESTIVALS))
        name, first_year = FESTIVALS[festival]
        works = rng.sample(range(len(WORKS)), 2)
        f.update(festival=name, festival_bare=Name(*(_bare(name.get(lang)) for lang in ("fr", "es", "en", "ar"))),
                 edition=when.year - 2000 - first_year + rng.randrange(0, 3), winner=person(rng),
                 work=WORKS[works[0]], work2=WORKS[works[1]], spectators=Count(rng.randrange(20, 300) * 1000),
                 entries=Count(rng.randrange(12, 90)), countries=Count(rng.randrange(8, 40)))
        f["_city"], f["city"] = FESTIVAL_CITY[festival], CITIES[FESTIVAL_CITY[festival]]
    elif kind == "verdict":
        charge = _echo(rng, recent, "_charge")
        charge = rng.randrange(len(CHARGES)) if charge is None else charge
        years = rng.randrange(2, 21)
        f.update(_charge=charge, charge=CHARGES[charge], defendant=person(rng), years=Count(years),
                 accomplices=Count(rng.randrange(2, 10)), lesser=Count(max(2, years - rng.randrange(1, 3))),
                 amount=_money(rng, 2, 400), months=Count(rng.randrange(6, 30)))
    elif kind == "investment":
        f.update(company=rng.choice(COMPANIES), amount=_money(rng, 80, 8000), jobs=Count(rng.randrange(200, 5000)),
                 sector=rng.choice(SECTORS), hectares=Count(rng.randrange(5, 120)), export=_pct(rng, 20, 95))
    elif kind == "weather":
        region = _echo(rng, recent, "_region")
        region = rng.randrange(len(REGIONS)) if region is None else region
        f.update(_region=region, region=REGIONS[region],
                 region2=REGIONS[(region + rng.randrange(1, len(REGIONS))) % len(REGIONS)],
                 rain=Count(rng.randrange(20, 121)), wind=Count(rng.randrange(60, 111)),
                 snow=Count(rng.randrange(12, 19) * 100), tmin=rng.randrange(-4, 3), tmax=rng.randrange(3, 9))
    elif kind == "fx":
        f.update(euro=Rate(round(rng.uniform(10.45, 10.95), 2)), dollar=Rate(round(rng.uniform(9.0, 9.6), 2)),
                 pound=Rate(round(rng.uniform(12.1, 12.7), 2)), change=_pct(rng, 0.1, 0.9))
    elif kind == "bourse":
        up = rng.random() < 0.5
        f.update(direction_fr="hausse" if up else "baisse", direction_ar="ارتفاع" if up else "انخفاض",
                 masi=Count(rng.randrange(16500, 18900)), masi20=Count(rng.randrange(1300, 1500)),
                 change=_pct(rng, 0.1, 1.9), volume=_money(rng, 40, 900), company=rng.choice(COMPANIES),
                 up=_pct(rng, 1, 6))
    return f


def _bare(name: str) -> str:
    for article in ("le ", "la ", "l'", "el ", "the "):
        if name.startswith(article):
            return name[len(article):]
    return name


# --- outlets and how they write ------------------------------------------------------------------


@dataclass(frozen=True)
class Outlet:
    slug: str
    language: str
    eastern_digits: bool = False
    wire: bool = False


OUTLETS = (
    Outlet("map-fr", "fr", wire=True), Outlet("map-ar", "ar", wire=True),
    Outlet("map-es", "es", wire=True), Outlet("map-en", "en", wire=True),
    *(Outlet(slug, "fr") for slug in (
        "atlas-info", "courrier-casablanca", "rabat-soir", "echo-du-souss", "maroc-diplomatique-hebdo",
        "economie-matin", "le-sportif", "tanger-actu", "fes-info", "oriental-presse", "kiosque-maroc",
        "quotidien-du-nord", "gazette-marrakech", "le-reporter")),
    *(Outlet(slug, "ar") for slug in ("akhbar-maghribia", "sawt-al-atlas", "jaridat-achamal", "madar24", "albawaba-sport")),
    Outlet("assabah-almaghribi", "ar", eastern_digits=True),
    *(Outlet(slug, "es") for slug in ("diario-del-estrecho", "noticias-del-magreb", "voz-de-tanger")),
    *(Outlet(slug, "en") for slug in ("morocco-world-report", "atlas-business-review", "north-africa-daily")),
)  # fmt: skip
WIRE = {outlet.language: outlet for outlet in OUTLETS if outlet.wire}
BY_LANGUAGE = {lang: [o for o in OUTLETS if o.language == lang and not o.wire] for lang in LANGUAGES}
DATELINE = {"fr": "{city} (MAP) - ", "es": "{city} (MAP) - ", "en": "{city} (MAP) - ", "ar": "{city} (ومع) - "}
TITLE_TAGS = {
    "fr": ("{t} [INTEGRAL]", "{t} (MAP)", "URGENT - {t}", "VIDÉO - {t}", "{t} | Actualités"),
    "es": ("{t} (MAP)", "ÚLTIMA HORA - {t}", "{t} | Noticias"),
    "en": ("{t} (MAP)", "BREAKING - {t}", "{t} | News"),
    "ar": ("{t} (ومع)", "عاجل - {t}", "{t} | فيديو"),
}
BYLINES = {
    "fr": ("Par la rédaction", "Avec MAP", "La rédaction (avec agence)"),
    "es": ("Redacción", "Con información de MAP"),
    "en": ("Staff writer", "With MAP"),
    "ar": ("هيئة التحرير", "عن وكالة المغرب العربي للأنباء"),
}
READ_ALSO = {"fr": "Lire aussi : {t}", "es": "Lea también: {t}", "en": "Read also: {t}", "ar": "اقرأ أيضا: {t}"}
LANGUAGE_WEIGHTS = {  # of an event's outlets, by kind
    "default": {"fr": 0.58, "ar": 0.24, "es": 0.10, "en": 0.08},
    "international": {"fr": 0.45, "ar": 0.2, "es": 0.2, "en": 0.15},
    "daily": {"fr": 0.55, "ar": 0.35, "es": 0.05, "en": 0.05},
}
KIND_WEIGHTS = {"accident": 12, "match": 14, "indicator": 8, "results": 9, "visit": 10, "law": 8,
                "festival": 6, "verdict": 9, "investment": 10, "weather": 6}


def slot_values(facts: dict, language: str, eastern: bool) -> dict[str, str]:
    values = {key: render(value, language, eastern) for key, value in facts.items() if not key.startswith("_")}
    values.update({key[:1].upper() + key[1:]: _capital(text) for key, text in list(values.items())})
    if language == "fr":
        values["_fr"] = "1"
    return values


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


_FRENCH_ELISION = re.compile(r"\b([Dd]e|[Qq]ue) (?=[AEIOUÉÈaeiouéè])")


def _fill(pattern: str, values: dict[str, str]) -> str:
    text = _capital(pattern.format(**values))
    return _FRENCH_ELISION.sub(lambda m: m.group(1)[0] + ("'" if m.group(1) == "de" or m.group(1) == "De" else "u'"), text) if values.get("_fr") else text


def own_article(pack: dict, values: dict[str, str], rng: random.Random, *, short: bool) -> tuple[str, str]:
    """An outlet's own piece: a title, a lead, some of the facts in its own order, background."""
    title = _fill(rng.choice(pack["titles"]), values)
    lead = _fill(rng.choice(pack["leads"]), values)
    if short:
        return title, lead
    body = rng.sample(pack["body"], rng.randint(min(2, len(pack["body"])), len(pack["body"])))
    context = rng.sample(pack["context"], rng.randint(0, len(pack["context"])))
    sentences = [_fill(s, values) for s in body]
    paragraphs = [lead]
    while sentences:
        size = 2 if len(sentences) > 1 and rng.random() < 0.5 else 1
        paragraphs.append(" ".join(sentences[:size]))
        sentences = sentences[size:]
    for sentence in context:
        paragraphs.insert(rng.randrange(1, len(paragraphs) + 1), _fill(sentence, values))
    return title, "\n\n".join(paragraphs)


def wire_dispatch(pack: dict, values: dict[str, str], language: str, rng: random.Random) -> tuple[str, str]:
    title, text = own_article(pack, values, rng, short=False)
    return title, DATELINE[language].format(city=values["city"].upper() if language != "ar" else values["city"]) + text


def republished(title: str, text: str, language: str, rng: random.Random, other_title: str,
                pack: dict, values: dict[str, str]) -> tuple[str, str]:
    """A copy of a dispatch: a tag or another headline, a byline, a cut, a "read also" line."""
    choice = rng.random()
    if choice < 0.55:
        title = rng.choice(TITLE_TAGS[language]).format(t=title)
    elif choice < 0.8:
        title = _fill(rng.choice(pack["titles"]), values)
    paragraphs = text.split("\n\n")
    if rng.random() < 0.4:
        paragraphs[0] = paragraphs[0].split(" - ", 1)[-1]  # the dateline goes
    if rng.random() < 0.35 and len(paragraphs) > 3:
        paragraphs = paragraphs[:-1]
    if rng.random() < 0.35:
        paragraphs.insert(0, rng.choice(BYLINES[language]))
    if rng.random() < 0.3 and len(paragraphs) > 2:
        paragraphs.insert(rng.randrange(1, len(paragraphs)), READ_ALSO[language].format(t=other_title))
    return title, "\n\n".join(paragraphs)


# --- the corpus ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelledArticle:
    id: int
    outlet: str
    language: str
    published_at: str  # ISO 8601, UTC
    title: str
    text: str
    story: str  # the event it tells: the label
    kind: str
    copy_of: int | None  # the dispatch it republishes (a near-duplicate), if any


@dataclass
class _Pending:
    arrival: datetime
    published: datetime
    outlet: str
    language: str
    title: str
    text: str
    story: str
    kind: str
    wire_key: str | None  # the dispatch it is, or copies
    is_wire: bool


def _coverage_size(rng: random.Random, daily: bool) -> int:
    if daily:
        return rng.choice((1, 1, 2, 2, 3))
    return rng.choice((1,) * 30 + (2,) * 14 + (3,) * 14 + (4, 5, 6) * 8 + (7, 8, 9, 10, 12) * 3)


def _languages(rng: random.Random, kind: str, count: int) -> list[str]:
    group = "daily" if kind in DAILY_KINDS else "international" if kind in {"visit", "festival", "match"} else "default"
    weights = LANGUAGE_WEIGHTS[group]
    return rng.choices(list(weights), weights=list(weights.values()), k=count)


class Corpus:
    """Events and the articles that tell them, from one seed; see the module docstring."""

    def __init__(self, seed: int = 5, start: datetime = datetime(2025, 12, 1, tzinfo=timezone.utc)) -> None:
        self.seed, self.start = seed, start
        self._wire_ids: dict[str, int] = {}  # dispatch -> its id, to label the copies

    def stream(self, days: int, events_per_day: int):
        """``LabelledArticle`` rows in arrival order (ids count up), day after day."""
        rng = random.Random(self.seed)
        recent: dict[str, list[dict]] = {}
        pending: list[_Pending] = []
        next_id = 1
        titles_seen: list[str] = ["Le Maroc en bref"]
        for day in range(days + 2):
            day_start = self.start + timedelta(days=day)
            if day < days:
                pending.extend(self._day(rng, day, day_start, events_per_day, recent, titles_seen))
            pending.sort(key=lambda p: (p.arrival, p.outlet, p.title))
            ready = [p for p in pending if p.arrival < day_start + timedelta(days=1)] if day < days else pending
            pending = pending[len(ready):] if day < days else []
            for item in ready:
                copy_of = None
                if item.wire_key is not None:
                    if item.is_wire:
                        self._wire_ids[item.wire_key] = next_id
                    else:
                        copy_of = self._wire_ids.get(item.wire_key)
                yield LabelledArticle(id=next_id, outlet=item.outlet, language=item.language,
                                      published_at=item.published.isoformat(), title=item.title,
                                      text=item.text, story=item.story, kind=item.kind, copy_of=copy_of)
                next_id += 1
            self._forget_wires()

    def _forget_wires(self) -> None:
        if len(self._wire_ids) > 5000:  # keep memory flat on long runs
            for key in list(self._wire_ids)[:2500]:
                del self._wire_ids[key]

    def _day(self, rng, day: int, day_start: datetime, events_per_day: int, recent, titles_seen) -> list[_Pending]:
        items: list[_Pending] = []
        kinds = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()), k=events_per_day)
        for number, kind in enumerate(kinds):
            when = day_start + timedelta(minutes=rng.randrange(6 * 60, 22 * 60))
            items += self._event(rng, f"d{day}-e{number}-{kind}", kind, when, recent, titles_seen)
        for kind, hour in (("fx", 9), ("bourse", 16)):
            when = day_start + timedelta(hours=hour, minutes=rng.randrange(0, 40))
            items += self._event(rng, f"d{day}-{kind}", kind, when, recent, titles_seen)
        return items

    def _event(self, rng, key: str, kind: str, when: datetime, recent, titles_seen) -> list[_Pending]:
        facts = draw_facts(kind, rng, recent.setdefault(kind, []), when)
        facts["weekday"] = Name(*(WEEKDAYS[lang][when.weekday()] for lang in ("fr", "es", "en", "ar")))
        facts["day"] = when.day
        facts["month"] = Name(*(MONTHS[lang][when.month - 1] for lang in ("fr", "es", "en", "ar")))
        recent[kind].append(facts)
        del recent[kind][:-8]
        pack = KINDS[kind]
        daily = kind in DAILY_KINDS
        count = _coverage_size(rng, daily)
        languages = _languages(rng, kind, count)
        wire_languages = {lang for lang in sorted(set(languages)) if rng.random() < (0.3 if daily else 0.55)}
        items, used = [], set()
        wires: dict[str, tuple[str, str, datetime]] = {}
        for lang in sorted(wire_languages):
            values = slot_values(facts, lang, False)
            title, text = wire_dispatch(pack[lang], values, lang, rng)
            published = when + timedelta(minutes=rng.randrange(0, 60))
            wires[lang] = (title, text, published)
            items.append(self._pending(rng, published, WIRE[lang], title, text, key, kind, f"{key}/{lang}", True))
            languages.remove(lang)
        for lang in languages:
            choices = [o for o in BY_LANGUAGE[lang] if o.slug not in used]
            if not choices:
                continue
            outlet = rng.choice(choices)
            used.add(outlet.slug)
            values = slot_values(facts, lang, outlet.eastern_digits)
            if lang in wires and rng.random() < 0.5 and not outlet.eastern_digits:
                title, text, sent = wires[lang]
                title, text = republished(title, text, lang, rng, rng.choice(titles_seen[-50:]), pack[lang], values)
                published = sent + timedelta(minutes=int(rng.expovariate(1 / 80)) + 5)
                items.append(self._pending(rng, published, outlet, title, text, key, kind, f"{key}/{lang}", False))
            else:
                title, text = own_article(pack[lang], values, rng, short=rng.random() < 0.12)
                published = when + timedelta(minutes=min(int(rng.expovariate(1 / 300)), 36 * 60))
                items.append(self._pending(rng, published, outlet, title, text, key, kind, None, False))
        titles_seen.extend(item.title for item in items if item.language == "fr")
        del titles_seen[:-200]
        return items

    @staticmethod
    def _pending(rng, published, outlet: Outlet, title, text, key, kind, wire_key, is_wire) -> _Pending:
        arrival = published + timedelta(minutes=rng.randrange(2, 90))
        return _Pending(arrival, published, outlet.slug, outlet.language, title, text, key, kind, wire_key, is_wire)


def labelled_set(seed: int = 5, days: int = 9, events_per_day: int = 17) -> list[LabelledArticle]:
    return list(Corpus(seed).stream(days, events_per_day))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--sample", type=int, default=0, help="print N articles instead of writing the file")
    args = parser.parse_args(argv)
    articles = labelled_set(args.seed)
    if args.sample:
        for article in random.Random(args.seed).sample(articles, args.sample):
            print(f"#{article.id} {article.outlet} [{article.language}] {article.published_at} story={article.story}"
                  f" copy_of={article.copy_of}\n  {article.title}\n  {article.text[:400]}\n")
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as handle:
        for article in articles:
            handle.write(json.dumps(asdict(article), ensure_ascii=False) + "\n")
    languages = {lang: sum(a.language == lang for a in articles) for lang in LANGUAGES}
    stories = len({a.story for a in articles})
    print(f"{len(articles)} articles, {stories} stories, {languages}, "
          f"{sum(a.copy_of is not None for a in articles)} copies -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
