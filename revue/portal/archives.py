"""Archives by date: ``/archives/AAAA/MM/JJ/`` (a day's articles) and ``/archives/AAAA/MM/`` (a month).

Days are the portal's calendar days (``REVUE_TIME_ZONE``), the same as the dates printed under
each article, which link here. A day is a range of ``published_at`` read through the articles'
recency index; a month page shows the days that have articles, found with one indexed
``EXISTS`` per day (no count over the archive) and cached briefly. Dates that do not exist or
lie in the future are 404s.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from revue.news.models import Article
from revue.portal.cache import cached
from revue.portal.views import list_page

MONTH_NAMES = (
    "", "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The first instant of ``day`` and of the next, on the portal's clock."""
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(day, time.min), zone)
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min), zone)
    return start, end


def articles_of_day(day: date):
    """A day's articles, newest first (a queryset: slice it)."""
    start, end = day_bounds(day)
    return Article.objects.for_list().filter(published_at__gte=start, published_at__lt=end)


def has_articles(day: date) -> bool:
    start, end = day_bounds(day)
    return Article.objects.filter(published_at__gte=start, published_at__lt=end, source__is_active=True).exists()


def day_url(day: date) -> str:
    return reverse("portal:archives-day", args=[f"{day.year:04d}", f"{day.month:02d}", f"{day.day:02d}"])


def month_url(year: int, month: int) -> str:
    return reverse("portal:archives-month", args=[f"{year:04d}", f"{month:02d}"])


def readable_day(day: date) -> str:
    return f"{day.day} {MONTH_NAMES[day.month]} {day.year}"


def _checked_date(year: str, month: str, day: str = "01") -> date:
    try:
        asked = date(int(year), int(month), int(day))
    except ValueError:
        raise Http404("Cette date n'existe pas.") from None
    if asked.year < 1000:
        raise Http404("Les archives ne remontent pas si loin.")
    if asked > timezone.localdate():
        raise Http404("Cette date est à venir : rien n'y est encore publié.")
    return asked


@dataclass(frozen=True)
class MonthDay:
    day: date
    url: str
    label: str


def month_days(year: int, month: int) -> list[MonthDay]:
    """The days of a month that have articles, in order (cached briefly)."""

    def compute() -> list[date]:
        today = timezone.localdate()
        days = (date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1))
        return [d for d in days if d <= today and has_articles(d)]

    # the days are cached, their URLs made for this request's edition (/ar/archives/…)
    return [MonthDay(d, day_url(d), readable_day(d)) for d in cached(f"archives-month-days-{year:04d}-{month:02d}", compute)]


def archives_index(request):
    """``/archives/``: this month's page."""
    today = timezone.localdate()
    return HttpResponseRedirect(month_url(today.year, today.month))


def archives_day(request, year: str, month: str, day: str):
    """One day's articles, newest first, with links to the days around it and its month."""
    asked = _checked_date(year, month, day)
    following = asked + timedelta(days=1)
    context = {
        "day": asked,
        "day_label": readable_day(asked),
        "previous_url": day_url(asked - timedelta(days=1)),
        "next_url": day_url(following) if following <= timezone.localdate() else "",
        "month_url": month_url(asked.year, asked.month),
        "month_label": f"{MONTH_NAMES[asked.month]} {asked.year}",
    }
    return list_page(request, articles_of_day(asked), "portal/archives_day.html", context)


def archives_month(request, year: str, month: str):
    """A month: its days that have articles, and the months around it."""
    first = _checked_date(year, month)
    previous = first - timedelta(days=1)
    following = first + timedelta(days=calendar.monthrange(first.year, first.month)[1])
    context = {  # the templates name the months in the edition's language (``|date:"F Y"``)
        "month": first,
        "previous_month": previous,
        "next_month": following,
        "month_label": f"{MONTH_NAMES[first.month]} {first.year}",
        "days": month_days(first.year, first.month),
        "previous_url": month_url(previous.year, previous.month),
        "previous_label": f"{MONTH_NAMES[previous.month]} {previous.year}",
        "next_url": month_url(following.year, following.month) if following <= timezone.localdate() else "",
        "next_label": f"{MONTH_NAMES[following.month]} {following.year}",
    }
    return render(request, "portal/archives_month.html", context)
