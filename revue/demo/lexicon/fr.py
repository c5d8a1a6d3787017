"""French words and sentence patterns of the demo press (aligned with the other lexicons)."""

from .base import CITIES_LATIN, FIRST_NAMES_LATIN, LAST_NAMES_LATIN, CATEGORY_NAMES, Lexicon

LEXICON = Lexicon(
    language="fr",
    direction="ltr",
    decimal_mark=",",
    thousands_word="{n} 000",
    cities=CITIES_LATIN,
    first_names=FIRST_NAMES_LATIN,
    last_names=LAST_NAMES_LATIN,
    roles=("à la tête du conseil régional", "à la direction de l’agence",
           "spécialiste des politiques publiques", "porte-parole du ministère",
           "économiste à l’université", "membre du bureau de l’association locale"),
    topics={
        "maroc": ("la régionalisation avancée", "la protection sociale",
                  "la réforme de l’enseignement", "la gestion de l’eau"),
        "economie": ("l’investissement industriel", "le marché de l’emploi",
                     "les exportations agricoles", "la transition numérique des entreprises"),
        "sport": ("la sélection nationale", "le championnat professionnel",
                  "la Coupe du Trône", "le football féminin"),
        "monde": ("la sécurité régionale", "la coopération Sud-Sud",
                  "la crise climatique", "le partenariat euro-méditerranéen"),
        "culture": ("les festivals de cinéma", "le patrimoine immatériel",
                    "l’édition et le livre", "la musique andalouse"),
        "societe": ("la sécurité routière", "l’accès aux soins",
                    "le logement social", "la lutte contre l’abandon scolaire"),
        "technologie": ("l’intelligence artificielle", "la cybersécurité",
                        "les jeunes pousses", "les réseaux 5G"),
    },
    organisations={
        "maroc": ("le Conseil régional", "l’Observatoire national du développement", "l’Agence urbaine"),
        "economie": ("la Chambre de commerce", "le Groupement des exportateurs",
                     "l’Office régional de l’investissement"),
        "sport": ("la Ligue régionale", "le club local", "la direction technique nationale"),
        "monde": ("l’Union africaine", "le Forum méditerranéen", "le Centre d’études internationales"),
        "culture": ("la Fondation des arts", "le Théâtre national", "l’Association des cinéastes"),
        "societe": ("le Collectif des parents", "l’Observatoire de la santé", "l’Association des usagers"),
        "technologie": ("le Pôle numérique", "l’Incubateur régional", "l’Agence du digital"),
    },
    category_names=dict(CATEGORY_NAMES),
    weekdays=("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    months=("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
            "septembre", "octobre", "novembre", "décembre"),
    date_format="{day} {month} {year} à {hour:02d}h{minute:02d}",
    titles=(
        "{city} : {org} mise sur {topic}",
        "{Topic} : {person} appelle à accélérer les réformes",
        "{Org} dévoile un plan de {amount} millions de dirhams pour {topic}",
        "{Topic} : hausse de {percent} % sur un an selon {org}",
        "{person} : « {Topic}, une priorité pour {city} »",
        "À {city}, {number} participants planchent sur {topic}",
        "{Topic} : ce qu’il faut retenir de la rencontre de {city}",
        "{Org} et la ville de {city} signent une convention sur {topic}",
        "{Topic} : les professionnels de {city} inquiets",
        "{city} accueille les premières assises sur {topic}",
    ),
    leads=(
        "Une rencontre sur {topic} s’est tenue ce {weekday} à {city}, en présence de {person}, {role}.",
        "Le dossier « {subject} » a de nouveau occupé le devant de la scène ce {weekday} à {city}.",
        "{Org} a présenté ce {weekday} à {city} un bilan détaillé sur {topic}, selon un communiqué "
        "parvenu à la rédaction.",
        "Selon des sources concordantes, {person}, {role}, a pris la parole ce {weekday} sur {topic} "
        "lors d’un point de presse tenu à {city}.",
    ),
    sentences=(
        "D’après les chiffres communiqués, le nombre de bénéficiaires a atteint {thousands}, "
        "soit une progression de {percent} % sur un an.",
        "« Nous avons franchi une étape importante, mais le plus dur reste à faire », a déclaré {person}.",
        "Le budget alloué s’élève à {amount} millions de dirhams, répartis en plusieurs tranches "
        "jusqu’en {year}.",
        "Plusieurs observateurs estiment que {topic} restera au cœur des priorités dans les mois à venir.",
        "À {city2}, les responsables locaux ont salué une initiative jugée « pragmatique et attendue ».",
        "Les professionnels du secteur réclament toutefois davantage de visibilité sur le calendrier "
        "de mise en œuvre.",
        "Pour {person2}, qui suit le dossier depuis plusieurs années, les premiers résultats ne seront "
        "mesurables qu’à l’horizon {year}.",
        "La réunion a rassemblé près de {number} participants, dont des élus, des chercheurs et des "
        "représentants de la société civile.",
        "Un rapport publié par {org} fait état d’une hausse de {percent2} % des indicateurs suivis "
        "au dernier trimestre.",
        "Cette annonce intervient dans un contexte marqué par de fortes attentes de la part des citoyens.",
        "Les autorités ont assuré que des mesures d’accompagnement seraient annoncées d’ici la fin du mois.",
        "Sur les réseaux sociaux, l’annonce a suscité de nombreuses réactions, pour la plupart favorables.",
        "Il s’agit avant tout, selon {person}, de « consolider les acquis et de préparer l’avenir ».",
        "Les échanges ont également porté sur le rôle des régions et sur la coordination entre "
        "les différents acteurs.",
        "Un expert interrogé par notre rédaction juge que les effets sur {topic} pourraient se faire "
        "sentir dès le premier semestre.",
        "Une cellule de suivi, installée à {city}, devra rendre compte des avancées tous les trois mois.",
    ),
    closings=(
        "Nous reviendrons plus en détail sur ce dossier dans nos prochaines éditions.",
        "Une nouvelle réunion est prévue dans les prochaines semaines à {city2}.",
        "Le comité de pilotage doit remettre ses conclusions d’ici {year}.",
    ),
    captions=(
        "Vue de {city}, où s’est tenue la rencontre.",
        "{person} lors de son intervention à {city}.",
        "Des participants à la réunion organisée par {org}.",
    ),
    comments=(
        "Merci pour cet article clair et bien documenté.",
        "Enfin une bonne nouvelle pour {city} !",
        "On attend de voir les résultats concrets sur le terrain.",
        "Toujours les mêmes annonces, rien ne change vraiment.",
        "Article intéressant, mais il manque l’avis des premiers concernés.",
        "Bravo à toute l’équipe, continuez comme ça.",
    ),
    commenters=("Karim_B", "Nadia de Fès", "Observateur92", "Samira.L", "Hamid", "Lectrice fidèle"),
    labels={
        "cookie": "Nous utilisons des cookies pour améliorer votre expérience et mesurer l’audience.",
        "accept": "J’accepte", "share": "Partager sur", "ad": "Publicité", "read_also": "Lire aussi",
        "comments": "Commentaires", "by": "Par", "published": "Publié le",
        "rights": "Tous droits réservés", "home": "Accueil", "search": "Rechercher",
        "newsletter": "Newsletter", "most_read": "Les plus lus", "contact": "Contact",
        "videos": "Vidéos", "about": "Qui sommes-nous ?", "newsroom": "La rédaction",
        "reply": "Répondre", "latest": "À la une",
    },
)
