"""Spanish words and sentence patterns of the demo press (aligned with the other lexicons)."""

from .base import FIRST_NAMES_LATIN, LAST_NAMES_LATIN, Lexicon

LEXICON = Lexicon(
    language="es",
    direction="ltr",
    decimal_mark=",",
    thousands_word="{n}.000",
    cities=("Casablanca", "Rabat", "Marrakech", "Fez", "Tánger", "Agadir",
            "Uchda", "Mequinez", "Tetuán", "Dajla", "El Aaiún", "El Yadida"),
    first_names=FIRST_NAMES_LATIN,
    last_names=LAST_NAMES_LATIN,
    roles=("al frente del consejo regional", "en la dirección de la agencia",
           "especialista en políticas públicas", "portavoz del ministerio",
           "economista de la universidad", "miembro de la junta de la asociación local"),
    topics={
        "maroc": ("la regionalización avanzada", "la protección social",
                  "la reforma educativa", "la gestión del agua"),
        "economie": ("la inversión industrial", "el mercado laboral", "las exportaciones agrícolas",
                     "la transformación digital de las empresas"),
        "sport": ("la selección nacional", "el campeonato profesional", "la Copa del Trono",
                  "el fútbol femenino"),
        "monde": ("la seguridad regional", "la cooperación Sur-Sur", "la crisis climática",
                  "la asociación euromediterránea"),
        "culture": ("los festivales de cine", "el patrimonio inmaterial", "el libro y la edición",
                    "la música andalusí"),
        "societe": ("la seguridad vial", "el acceso a la sanidad", "la vivienda social",
                    "la lucha contra el abandono escolar"),
        "technologie": ("la inteligencia artificial", "la ciberseguridad", "las empresas emergentes",
                        "las redes 5G"),
    },
    organisations={
        "maroc": ("el Consejo Regional", "el Observatorio Nacional de Desarrollo", "la Agencia Urbana"),
        "economie": ("la Cámara de Comercio", "la Agrupación de Exportadores",
                     "la Oficina Regional de Inversiones"),
        "sport": ("la Liga Regional", "el club local", "la dirección técnica nacional"),
        "monde": ("la Unión Africana", "el Foro Mediterráneo", "el Centro de Estudios Internacionales"),
        "culture": ("la Fundación de las Artes", "el Teatro Nacional", "la Asociación de Cineastas"),
        "societe": ("el Colectivo de Padres", "el Observatorio de la Salud", "la Asociación de Usuarios"),
        "technologie": ("el Polo Digital", "la Incubadora Regional", "la Agencia Digital"),
    },
    category_names={"maroc": "Marruecos", "economie": "Economía", "sport": "Deportes", "monde": "Mundo",
                    "culture": "Cultura", "societe": "Sociedad", "technologie": "Tecnología"},
    weekdays=("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    months=("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
            "septiembre", "octubre", "noviembre", "diciembre"),
    date_format="{day} de {month} de {year}, {hour:02d}:{minute:02d}",
    titles=(
        "{city}: {org} apuesta por {topic}",
        "{Topic}: {person} pide acelerar las reformas",
        "{Org} presenta un plan de {amount} millones de dírhams para {topic}",
        "{Topic}: alza del {percent} % en un año, según {org}",
        "{person}: «{Topic}, una prioridad para {city}»",
        "En {city}, {number} participantes debaten sobre {topic}",
        "{Topic}: lo que hay que saber del encuentro de {city}",
        "{Org} y la ciudad de {city} firman un convenio sobre {topic}",
        "{Topic}: inquietud entre los profesionales de {city}",
        "{city} acoge las primeras jornadas sobre {topic}",
    ),
    leads=(
        "Un encuentro sobre {topic} se celebró este {weekday} en {city}, con la presencia de "
        "{person}, {role}.",
        "El asunto «{subject}» volvió a ocupar el primer plano este {weekday} en {city}.",
        "{Org} presentó este {weekday} en {city} un balance detallado sobre {topic}, según un "
        "comunicado remitido a la redacción.",
        "Según fuentes concordantes, {person}, {role}, se pronunció este {weekday} sobre {topic} "
        "durante una rueda de prensa en {city}.",
    ),
    sentences=(
        "Según las cifras comunicadas, el número de beneficiarios alcanzó los {thousands}, "
        "un aumento del {percent} % en un año.",
        "«Hemos dado un paso importante, pero lo más difícil está por llegar», declaró {person}.",
        "El presupuesto asciende a {amount} millones de dírhams, repartidos en varios tramos hasta {year}.",
        "Varios observadores consideran que {topic} seguirá entre las prioridades en los próximos meses.",
        "En {city2}, los responsables locales celebraron una iniciativa calificada de «pragmática y esperada».",
        "Los profesionales del sector reclaman, sin embargo, más claridad sobre el calendario de aplicación.",
        "Para {person2}, que sigue el expediente desde hace años, los primeros resultados no serán "
        "medibles antes de {year}.",
        "La reunión congregó a cerca de {number} participantes, entre ellos cargos electos, "
        "investigadores y representantes de la sociedad civil.",
        "Un informe publicado por {org} señala un aumento del {percent2} % de los indicadores en el "
        "último trimestre.",
        "El anuncio llega en un contexto de fuertes expectativas por parte de la ciudadanía.",
        "Las autoridades aseguraron que se anunciarán medidas de acompañamiento antes de fin de mes.",
        "En las redes sociales, el anuncio suscitó numerosas reacciones, en su mayoría favorables.",
        "Se trata ante todo, según {person}, de «consolidar lo logrado y preparar el futuro».",
        "Los debates abordaron también el papel de las regiones y la coordinación entre los "
        "distintos actores.",
        "Un experto consultado por esta redacción estima que los efectos sobre {topic} podrían "
        "notarse ya en el primer semestre.",
        "Una unidad de seguimiento, instalada en {city}, informará de los avances cada tres meses.",
    ),
    closings=(
        "Volveremos con más detalle sobre este asunto en próximas ediciones.",
        "Está prevista una nueva reunión en {city2} en las próximas semanas.",
        "El comité de dirección debe presentar sus conclusiones antes de {year}.",
    ),
    captions=(
        "Vista de {city}, donde se celebró el encuentro.",
        "{person} durante su intervención en {city}.",
        "Participantes en la reunión organizada por {org}.",
    ),
    comments=(
        "Gracias por este artículo claro y bien documentado.",
        "¡Por fin una buena noticia para {city}!",
        "Habrá que ver los resultados concretos sobre el terreno.",
        "Siempre los mismos anuncios, nada cambia de verdad.",
        "Interesante, pero falta la opinión de los principales afectados.",
        "Enhorabuena a todo el equipo, sigan así.",
    ),
    commenters=("Lector_Tetuán", "María J.", "Abdel", "Curioso77", "Nora S.", "Javi"),
    labels={
        "cookie": "Utilizamos cookies para mejorar su experiencia y medir la audiencia.",
        "accept": "Acepto", "share": "Compartir en", "ad": "Publicidad", "read_also": "Lea también",
        "comments": "Comentarios", "by": "Por", "published": "Publicado el",
        "rights": "Todos los derechos reservados", "home": "Portada", "search": "Buscar",
        "newsletter": "Boletín", "most_read": "Lo más leído", "contact": "Contacto",
        "videos": "Vídeos", "about": "Quiénes somos", "newsroom": "Redacción",
        "reply": "Responder", "latest": "Última hora",
    },
)
