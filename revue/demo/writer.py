"""Writing an article's words: facts drawn from a seeded generator, poured into sentence patterns.

A story is its facts (city, people, organisation, topic, figures) and its plan (which sentences in
which paragraphs). Both are drawn from one generator keyed by the story, with no reference to the
language, so the same story written in French and in Spanish says the same things.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .lexicon import CATEGORY_SLUGS, Lexicon

BODY_SENTENCES = 16
EXTRA_SENTENCES = 2
MAX_PARAGRAPHS = 10


@dataclass(frozen=True)
class Facts:
    """What a story is about, as positions in the aligned lexicon lists, plus its figures."""

    category: str
    city: int
    city2: int
    person: tuple[int, int]
    person2: tuple[int, int]
    role: int
    org: int
    topic: int
    number: int
    thousands: int
    percent: float
    percent2: float
    amount: int
    year: int
    title: int


@dataclass(frozen=True)
class Plan:
    """Which sentence patterns make up each paragraph."""

    lead: int
    middle: tuple[tuple[int, ...], ...]
    closing: int
    extra: tuple[int, ...]


def keyed_random(*key: object) -> random.Random:
    """A generator seeded by a readable key (str seeds are hashed stably across runs)."""
    return random.Random("|".join(str(part) for part in key))


def draw_facts(rng: random.Random, category: str) -> Facts:
    city, city2 = rng.sample(range(12), 2)
    return Facts(
        category=category, city=city, city2=city2,
        person=(rng.randrange(12), rng.randrange(10)), person2=(rng.randrange(12), rng.randrange(10)),
        role=rng.randrange(6), org=rng.randrange(3), topic=rng.randrange(4),
        number=rng.randrange(40, 900), thousands=rng.randrange(2, 250),
        percent=rng.randrange(11, 190) / 10, percent2=rng.randrange(11, 190) / 10,
        amount=rng.randrange(12, 900), year=rng.randrange(2026, 2031), title=rng.randrange(10),
    )


def draw_plan(rng: random.Random, about_named_subject: bool) -> Plan:
    """4 to 10 paragraphs: a lead, 1-2 sentences per middle paragraph, a closing."""
    lead = rng.choice((0, 2, 3))
    order = rng.sample(range(BODY_SENTENCES), BODY_SENTENCES)
    middle_count = rng.randint(4, MAX_PARAGRAPHS) - 2
    available = BODY_SENTENCES - EXTRA_SENTENCES
    sizes = []
    for position in range(middle_count):
        paragraphs_left = middle_count - position - 1
        size = 2 if rng.random() < 0.55 and available - 2 >= paragraphs_left else 1
        sizes.append(size)
        available -= size
    middle, start = [], 0
    for size in sizes:
        middle.append(tuple(order[start:start + size]))
        start += size
    return Plan(lead=1 if about_named_subject else lead, middle=tuple(middle),
                closing=rng.randrange(3), extra=tuple(order[-EXTRA_SENTENCES:]))


def person_name(lexicon: Lexicon, person: tuple[int, int]) -> str:
    return f"{lexicon.first_names[person[0]]} {lexicon.last_names[person[1]]}"


def capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def slots(lexicon: Lexicon, facts: Facts, weekday: int = 0, subject: str = "") -> dict[str, str]:
    """The values of every placeholder for one story in one language."""
    topic = lexicon.topics[facts.category][facts.topic]
    org = lexicon.organisations[facts.category][facts.org]
    return {
        "city": lexicon.cities[facts.city], "city2": lexicon.cities[facts.city2],
        "person": person_name(lexicon, facts.person), "person2": person_name(lexicon, facts.person2),
        "role": lexicon.roles[facts.role], "org": org, "Org": capitalized(org),
        "topic": topic, "Topic": capitalized(topic), "number": str(facts.number),
        "thousands": lexicon.thousands_word.format(n=facts.thousands),
        "percent": f"{facts.percent:.1f}".replace(".", lexicon.decimal_mark),
        "percent2": f"{facts.percent2:.1f}".replace(".", lexicon.decimal_mark),
        "amount": str(facts.amount), "year": str(facts.year),
        "weekday": lexicon.weekdays[weekday], "subject": subject or capitalized(topic),
    }


def write_title(lexicon: Lexicon, facts: Facts) -> str:
    return capitalized(lexicon.titles[facts.title].format(**slots(lexicon, facts)))


def write_paragraphs(lexicon: Lexicon, facts: Facts, plan: Plan, weekday: int,
                     subject: str = "", extended: bool = False) -> tuple[str, ...]:
    """The plain-text paragraphs of a story; `extended` adds two sentences before the closing
    (a paragraph of their own while the story has fewer than 10)."""
    values = slots(lexicon, facts, weekday, subject)
    sentences = lexicon.sentences
    paragraphs = [lexicon.leads[plan.lead].format(**values)]
    paragraphs += [" ".join(sentences[i].format(**values) for i in group) for group in plan.middle]
    if extended:
        extra = " ".join(sentences[i].format(**values) for i in plan.extra)
        if len(paragraphs) < MAX_PARAGRAPHS - 1:
            paragraphs.append(extra)
        else:
            paragraphs[-1] += " " + extra
    paragraphs.append(lexicon.closings[plan.closing].format(**values))
    return tuple(paragraphs)


def headline_subject(title: str) -> str:
    """What a headline is about: the part before its colon when there is a short one."""
    head = title.split(":", 1)[0].strip()
    return head if ":" in title and 2 < len(head) <= 50 else title


def write_caption(lexicon: Lexicon, facts: Facts, rng: random.Random) -> str:
    return rng.choice(lexicon.captions).format(**slots(lexicon, facts))


def write_comments(lexicon: Lexicon, facts: Facts, rng: random.Random) -> tuple[tuple[str, str], ...]:
    """Two to four (reader, comment) pairs."""
    count = rng.randint(2, 4)
    readers = rng.sample(lexicon.commenters, count)
    texts = rng.sample(lexicon.comments, count)
    values = slots(lexicon, facts)
    return tuple((reader, text.format(**values)) for reader, text in zip(readers, texts))


def write_author(lexicon: Lexicon, rng: random.Random) -> str:
    """A journalist's name, or now and then the newsroom's."""
    if rng.random() < 0.1:
        return lexicon.labels["newsroom"]
    return person_name(lexicon, (rng.randrange(12), rng.randrange(10)))


def category_cycle(position: int, offset: int) -> str:
    return CATEGORY_SLUGS[(position + offset) % len(CATEGORY_SLUGS)]
