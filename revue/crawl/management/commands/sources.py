"""``revue sources add|import|export|list|defaults|check``: the outlets Revue follows, and a live
check of the default list (``revue.crawl.sourcecheck``) that stores nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from revue.crawl.discover import DiscoveryError, resolve_feed
from revue.crawl.sourcecheck import VERDICTS, check_feeds
from revue.net.fetch import FetchError, FetchLimits
from revue.sources.defaults import COLUMNS, OutletListError, default_rows, default_specs, list_text, read_rows
from revue.sources.models import Feed, Source
from revue.sources.opml import OPMLError, export_opml, parse_opml
from revue.sources.services import FeedSpec, follow


class Command(BaseCommand):
    help = "Manage the outlets Revue follows."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="follow a feed URL or a site URL (its feed is discovered)")
        add.add_argument("url")
        add.add_argument("--name", help="the outlet's name (default: the feed's title)")
        add.add_argument("--slug", help="the outlet's address on the portal (default: from the name)")
        add.add_argument("--language", default="", help="ISO 639-1 code, e.g. fr, ar, es, en")
        add.add_argument("--category", default="", help="category slug for this feed's entries")
        imp = sub.add_parser("import", help="follow every feed of an OPML file")
        imp.add_argument("file")
        sub.add_parser("export", help="print the followed feeds as OPML")
        sub.add_parser("list", help="list outlets and their feeds' state")
        sub.add_parser("defaults", help="follow the default list of outlets")
        check = sub.add_parser("check", help="fetch every feed of the default list: which answer, moved, are dead "
                                              "(stores nothing)")
        check.add_argument("--file", help="check this outlet list (same columns as the shipped one) instead")
        check.add_argument("--tsv", action="store_true",
                           help="print the list with today's date in `checked` on the rows that answered")

    def handle(self, *args, action, **options):
        return getattr(self, f"_{action}")(**options) or None

    def _add(self, url, name, slug, language, category, **_):
        try:
            found = resolve_feed(url, FetchLimits.from_settings())
        except (DiscoveryError, FetchError) as error:
            raise CommandError(str(error)) from None
        spec = FeedSpec(
            feed_url=found.feed_url,
            outlet_name=name or found.feed.title or found.site_url or url,
            homepage=found.site_url,
            language=language or found.feed.language,
            category_hint=category,
            title=found.feed.title,
            slug=slug or "",
        )
        followed = self._follow(spec)
        verb = "ajouté" if followed.created else "déjà suivi"
        self.stdout.write(
            f"{verb} : {followed.feed.source.name} — {followed.feed.url} "
            f"({len(found.feed.entries)} entrées, format {found.feed.format})"
        )

    def _follow(self, spec: FeedSpec):
        try:
            return follow(spec)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None

    def _import(self, file, **_):
        try:
            specs = parse_opml(Path(file).read_bytes())
        except (OSError, OPMLError) as error:
            raise CommandError(str(error)) from None
        self._follow_all(specs)

    def _defaults(self, **_):
        rows = default_rows()
        self._follow_all(default_specs(rows))
        checked = [row.checked for row in rows if row.checked]
        self.stdout.write(f"liste par défaut : {len(rows)} flux, {len(checked)} vérifiés en ligne"
                          + (f" (le plus ancien le {min(checked)})" if checked else " (jamais : revue sources check)"))

    def _check(self, file=None, tsv=False, **_):
        try:
            text = Path(file).read_text(encoding="utf-8") if file else list_text()
            rows = read_rows(text)
        except (OSError, UnicodeDecodeError, OutletListError) as error:
            raise CommandError(f"{file or 'outlets.tsv'}: {error}") from None
        results = check_feeds([row.feed_url for row in rows], FetchLimits.from_settings(),
                              settings.REVUE_FETCH_CONCURRENCY)
        if tsv:
            today = date.today()
            for line in text.splitlines():  # the list's own comments, then its rows
                if line.startswith("#"):
                    self.stdout.write(line)
            self.stdout.write("\t".join(COLUMNS))
            for row, result in zip(rows, results):  # a moved feed is written at its new address
                if result.answers:
                    row = replace(row, checked=today, feed_url=result.moved_to or row.feed_url)
                self.stdout.write(row.as_tsv())
            return
        for row, result in zip(rows, results):
            status = f" HTTP {result.status}" if result.status else ""
            self.stdout.write(f"{result.verdict:10} {row.outlet} — {row.feed_url}{status} : {result.detail}")
        counts = {verdict: sum(r.verdict == verdict for r in results) for verdict in VERDICTS}
        self.stdout.write(f"{counts['ok']} répondent, {counts['moved']} déplacés, {counts['not_a_feed']} sans flux "
                          f"lisible, {counts['dead']} morts, sur {len(results)}")

    def _follow_all(self, specs):
        created = skipped = 0
        for spec in specs:
            try:
                created += follow(spec).created
            except ValidationError as error:
                skipped += 1
                self.stderr.write(f"ignoré {spec.feed_url} : {'; '.join(error.messages)}")
        self.stdout.write(f"{created} flux ajoutés, {len(specs) - created - skipped} déjà suivis, {skipped} ignorés")

    def _export(self, **_):
        feeds = Feed.objects.select_related("source").order_by("source__name", "url")
        self.stdout.write(export_opml(feeds).decode("utf-8"), ending="")

    def _list(self, **_):
        for source in Source.objects.prefetch_related("feeds"):
            self.stdout.write(f"{source.name} [{source.slug}] {source.language}")
            for feed in source.feeds.all():
                error = f" — {feed.error_count} erreurs : {feed.last_error[:80]}" if feed.error_count else ""
                skipped = (f" — {feed.entries_skipped} entrées ignorées, dernière : {feed.last_skip_reason[:120]}"
                           if feed.entries_skipped else "")
                self.stdout.write(f"    {feed.state:8} {feed.url}{error}{skipped}")
