"""English words and sentence patterns of the demo press (aligned with the other lexicons)."""

from .base import FIRST_NAMES_LATIN, LAST_NAMES_LATIN, Lexicon

LEXICON = Lexicon(
    language="en",
    direction="ltr",
    decimal_mark=".",
    thousands_word="{n},000",
    cities=("Casablanca", "Rabat", "Marrakech", "Fez", "Tangier", "Agadir",
            "Oujda", "Meknes", "Tetouan", "Dakhla", "Laayoune", "El Jadida"),
    first_names=FIRST_NAMES_LATIN,
    last_names=LAST_NAMES_LATIN,
    roles=("head of the regional council", "director of the agency", "public policy specialist",
           "spokesperson for the ministry", "economist at the university",
           "board member of the local association"),
    topics={
        "maroc": ("advanced regionalisation", "social protection", "education reform", "water management"),
        "economie": ("industrial investment", "the job market", "farm exports",
                     "the digital shift of companies"),
        "sport": ("the national team", "the professional league", "the Throne Cup", "women's football"),
        "monde": ("regional security", "South-South cooperation", "the climate crisis",
                  "the Euro-Mediterranean partnership"),
        "culture": ("film festivals", "intangible heritage", "books and publishing", "Andalusian music"),
        "societe": ("road safety", "access to healthcare", "social housing", "school dropout"),
        "technologie": ("artificial intelligence", "cybersecurity", "start-ups", "5G networks"),
    },
    organisations={
        "maroc": ("the Regional Council", "the National Development Observatory", "the Urban Agency"),
        "economie": ("the Chamber of Commerce", "the Exporters' Group", "the Regional Investment Office"),
        "sport": ("the Regional League", "the local club", "the national technical department"),
        "monde": ("the African Union", "the Mediterranean Forum", "the Centre for International Studies"),
        "culture": ("the Arts Foundation", "the National Theatre", "the Filmmakers' Association"),
        "societe": ("the Parents' Collective", "the Health Observatory", "the Users' Association"),
        "technologie": ("the Digital Hub", "the Regional Incubator", "the Digital Agency"),
    },
    category_names={"maroc": "Morocco", "economie": "Economy", "sport": "Sport", "monde": "World",
                    "culture": "Culture", "societe": "Society", "technologie": "Technology"},
    weekdays=("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    months=("January", "February", "March", "April", "May", "June", "July", "August",
            "September", "October", "November", "December"),
    date_format="{month} {day}, {year} at {hour:02d}:{minute:02d}",
    titles=(
        "{city}: {org} bets on {topic}",
        "{Topic}: {person} calls for faster reforms",
        "{Org} unveils a {amount} million dirham plan for {topic}",
        "{Topic} up {percent}% in a year, says {org}",
        "{person}: “{Topic} is a priority for {city}”",
        "In {city}, {number} participants work on {topic}",
        "{Topic}: key takeaways from the {city} meeting",
        "{Org} and the city of {city} sign an agreement on {topic}",
        "{Topic}: professionals in {city} voice concern",
        "{city} hosts first conference on {topic}",
    ),
    leads=(
        "A meeting on {topic} was held in {city} on {weekday}, attended by {person}, {role}.",
        "The “{subject}” story was back in the spotlight in {city} on {weekday}.",
        "{Org} presented a detailed review of {topic} in {city} on {weekday}, according to a "
        "statement sent to the newsroom.",
        "According to several sources, {person}, {role}, spoke on {topic} on {weekday} at a press "
        "briefing in {city}.",
    ),
    sentences=(
        "According to the figures released, the number of beneficiaries reached {thousands}, "
        "up {percent}% on the year.",
        "“We have taken an important step, but the hardest part is still ahead,” said {person}.",
        "The budget stands at {amount} million dirhams, to be released in several instalments until {year}.",
        "Several observers believe that {topic} will remain a top priority in the coming months.",
        "In {city2}, local officials welcomed an initiative they described as “pragmatic and long awaited”.",
        "Professionals in the sector are nonetheless asking for more clarity on the implementation timetable.",
        "For {person2}, who has followed the file for several years, the first results will not be "
        "measurable before {year}.",
        "The meeting brought together some {number} participants, including elected officials, "
        "researchers and civil society representatives.",
        "A report published by {org} points to a {percent2}% rise in the monitored indicators over "
        "the last quarter.",
        "The announcement comes amid high expectations among citizens.",
        "The authorities said support measures would be announced before the end of the month.",
        "On social media, the announcement drew many reactions, most of them favourable.",
        "Above all, according to {person}, the aim is to “build on what has been achieved and "
        "prepare for the future”.",
        "The discussions also covered the role of the regions and coordination between the "
        "various stakeholders.",
        "An expert interviewed by our newsroom believes the effects on {topic} could be felt as "
        "early as the first half of the year.",
        "A monitoring unit based in {city} will report on progress every three months.",
    ),
    closings=(
        "We will return to this story in more detail in our next editions.",
        "A new meeting is planned in {city2} in the coming weeks.",
        "The steering committee is due to report its conclusions by {year}.",
    ),
    captions=(
        "A view of {city}, where the meeting took place.",
        "{person} speaking in {city}.",
        "Participants at the meeting organised by {org}.",
    ),
    comments=(
        "Thanks for a clear and well-researched piece.",
        "Finally some good news for {city}!",
        "Let's wait and see the concrete results on the ground.",
        "Same announcements every year, nothing really changes.",
        "Interesting, but the people most affected are missing from the story.",
        "Well done to the whole team, keep it up.",
    ),
    commenters=("K. Benjelloun", "Oujda_reader", "Sam T.", "Mina", "Concerned citizen", "Adam R."),
    labels={
        "cookie": "We use cookies to improve your experience and measure our audience.",
        "accept": "Accept", "share": "Share on", "ad": "Advertisement", "read_also": "Read also",
        "comments": "Comments", "by": "By", "published": "Published",
        "rights": "All rights reserved", "home": "Home", "search": "Search",
        "newsletter": "Newsletter", "most_read": "Most read", "contact": "Contact",
        "videos": "Videos", "about": "About us", "newsroom": "Staff writer",
        "reply": "Reply", "latest": "Latest news",
    },
)
