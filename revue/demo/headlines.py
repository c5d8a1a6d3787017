"""The 48 headlines of the portal's model ticker (shared/seeds), each with the category it belongs
to, its language and, for the ones that tell the same story twice, a shared story key.

The demo press places every one of them on an outlet of its language; their texts are generated
like any other article's. Two pairs tell one story: the RHN Maroc–Espagne piece (plain and
"[INTEGRAL]", on two French outlets: a near-duplicate, the second one a paragraph longer) and the
UNESCO caftan piece (in French and in Spanish: the same facts in two languages).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SeedHeadline:
    """One ticker headline and where it goes."""

    title: str
    category: str
    language: str = "fr"
    story_key: str = ""
    extended: bool = False


RHN = "rhn-maroc-espagne"
CAFTAN = "unesco-caftan"

SEED_HEADLINES: tuple[SeedHeadline, ...] = (
    SeedHeadline("Sahara marocain : la résolution 2797 isole Alger et déclenche un nouvel élan d'investissements", "maroc"),
    SeedHeadline("France: quatre morts dans le crash d'un petit avion dans l'Ariège", "monde"),
    SeedHeadline("Nuit de chaos à Ouled Ziane : Plusieurs blessés après des incidents impliquant des migrants", "societe"),
    SeedHeadline("Résultats trimestriels : CDG Capital fait bondir son produit net bancaire au T3", "economie"),
    SeedHeadline("Engrais : Fitch note une hausse des exportations marocaines", "economie"),
    SeedHeadline("IPO de Cash Plus : l'opération sursouscrite 64 fois par 80.759 investisseurs", "economie"),
    SeedHeadline("IBM prêt à frapper fort avec Confluent pour relancer sa dynamique cloud", "technologie"),
    SeedHeadline("BLS modernise ses services de visas avec Sypha.ai", "technologie"),
    SeedHeadline("Cours des devises du lundi 8 décembre 2025", "economie"),
    SeedHeadline("Bourse de Casablanca : ouverture dans le vert", "economie"),
    SeedHeadline("RHN Maroc - Espagne : Après la politique, l'embellie économique [INTEGRAL]", "maroc",
                 story_key=RHN, extended=True),
    SeedHeadline("Programme alimentaire mondial 2026 : le Maroc réélu au Conseil exécutif", "monde"),
    SeedHeadline("Football : l'Inter Miami de Lionel Messi sacré champion de MLS", "sport"),
    SeedHeadline("Liga / J15 : Surpris au Bernabeu, le Real Madrid laisse filer le Barça", "sport"),
    SeedHeadline("Carling Cup : Abdeslam Ouaddou décroche son deuxième titre avec Orlando Pirates", "sport"),
    SeedHeadline("Maroc–Arabie saoudite : à quelle heure et sur quelle chaîne voir le Match en direct ?", "sport"),
    SeedHeadline("France : Deschamps tente de chipper le Marocain Ayoub Bouaddi", "sport"),
    SeedHeadline("HCP : amélioration du pouvoir d'achat des ménages de 5,1 points en 2024", "economie"),
    SeedHeadline("Gente féminine : Casablanca s'engage aux côtés d'ONU Femmes pour des espaces publics plus sûrs", "societe"),
    SeedHeadline("Villes apprenantes : Casablanca et Oujda rejoignent le Réseau mondial de l'UNESCO", "societe"),
    SeedHeadline("Motocyclettes : le prix du permis revu à la baisse", "societe"),
    SeedHeadline("Prévisions météorologiques pour lundi 08 décembre 2025", "maroc"),
    SeedHeadline("Tentative de coup d'état au Bénin: La Cedeao annonce déployer des militaires", "monde"),
    SeedHeadline("Interview avec Erige Sehiri : « Recevoir l'Etoile d'Or à Marrakech, c'est une émotion que je n'oublierai jamais »", "culture"),
    SeedHeadline("UNESCO: Un nuevo episodio en India en la batalla argelina contra Marruecos por el caftán", "culture",
                 language="es", story_key=CAFTAN),
    SeedHeadline("Coupe arabe : la Palestine et la Syrie qualifiées pour les quarts", "sport"),
    SeedHeadline("Tarik Sektioui : \"nous viserons la victoire face à l'Arabie Saoudite afin d'assurer notre qualification pour les quarts\"", "sport"),
    SeedHeadline("Chiens errants : Plus de 100.000 attaques en 2024 et 33 morts de la rage", "societe"),
    SeedHeadline("Soulèvement de 1952 :Quand les Marocains se révoltaient contre l'assassinat de Farhat Hachad", "maroc"),
    SeedHeadline("RHN Maroc - Espagne : Après la politique, l'embellie économique", "maroc", story_key=RHN),
    SeedHeadline("Akhannouch : Le gouvernement engagé à consolider la justice sociale au niveau des régions", "maroc"),
    SeedHeadline("Royaume-Uni : Zelensky lundi à Londres pour discuter du projet d'accord de paix américain", "monde"),
    SeedHeadline("Emirats: des chercheurs développent une technologie améliorant les tests de médicaments anticancéreux", "technologie"),
    SeedHeadline("Les températures attendues ce dimanche 7 décembre 2025", "maroc"),
    SeedHeadline("Dakhla / CHUI Mohammed VI : Une infrastructure au service de la souveraineté sanitaire africaine", "societe"),
    SeedHeadline("Ronaldo : Le Maroc joue un \"football merveilleux\" ces dernières années", "sport"),
    SeedHeadline("Casablanca : le Festival des Talents de retour pour une 2e édition", "culture"),
    SeedHeadline("Le BMDAV assure, tel que stipulé par la loi, la perception et la répartition des droits d'auteur et des droits voisins", "culture"),
    SeedHeadline("MAGAZINE : Karim Bennani, rétro n'est pas de trop", "culture"),
    SeedHeadline("Clôture du FIFM : une 22e édition record, portée par le public et une sélection exigeante", "culture"),
    SeedHeadline("UNESCO : Un nouvel épisode en Inde dans la bataille algérienne contre le Maroc sur le caftan", "culture",
                 story_key=CAFTAN),
    SeedHeadline("L'Etoile d'Or du Festival de Marrakech décernée à Promis le Ciel d'Erige Sehiri", "culture"),
    SeedHeadline("L'ambassadrice de Chine au Maroc adresse une lettre aux amis marocains : les faits et la vérité sur la question de Taiwan", "monde"),
    SeedHeadline("Maroc : L'Institut supérieur des sciences de la sécurité inauguré à Ifrane", "maroc"),
    SeedHeadline("Chambre des conseillers : Les projets de loi relatifs au système électoral approuvés à l'unanimité", "maroc"),
    SeedHeadline("SM le Roi félicite le Président finlandais à l'occasion de la fête nationale de son pays", "maroc"),
    SeedHeadline("Marrakech International Film Festival 2025 honors Guillermo Del Toro with Golden Star Award", "culture",
                 language="en"),
    SeedHeadline("FAO: Baisse des prix mondiaux des produits alimentaires en novembre", "economie"),
)


def assign_headlines(outlets_by_language: dict[str, list[str]]) -> dict[str, list[SeedHeadline]]:
    """Deal the headlines out, round robin per language, to the given outlet slugs.

    Two headlines of one story go to two different outlets when the language has more than one.
    Headlines of a language that no outlet writes in are left out.
    """
    dealt: dict[str, list[SeedHeadline]] = {slug: [] for slugs in outlets_by_language.values()
                                            for slug in slugs}
    turn = {language: 0 for language in outlets_by_language}
    story_outlets: dict[str, set[str]] = {}
    for headline in SEED_HEADLINES:
        slugs = outlets_by_language.get(headline.language) or []
        if not slugs:
            continue
        slug = slugs[turn[headline.language] % len(slugs)]
        taken = story_outlets.setdefault(headline.story_key, set()) if headline.story_key else set()
        if slug in taken and len(slugs) > len(taken):
            turn[headline.language] += 1
            slug = slugs[turn[headline.language] % len(slugs)]
        taken.add(slug)
        turn[headline.language] += 1
        dealt[slug].append(headline)
    return dealt
