"""``revue stats``: the archive and the crawl in figures (``revue.crawl.stats``), as lines for a
person or, with ``--json``, one JSON object for a script."""

from __future__ import annotations

import json as _json

from django.core.management.base import BaseCommand

from revue.crawl.stats import gather


class Command(BaseCommand):
    help = "Articles, outlets, feeds by state, errors in the last 24 h, the last crawl, queue depths."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="one JSON object instead of lines")

    def handle(self, *args, json=False, **options):
        figures = gather()
        if json:
            self.stdout.write(_json.dumps(figures, ensure_ascii=False))
            return
        a, f, q = figures["articles"], figures["feeds"], figures["queues"]
        self.stdout.write("\n".join([
            f"articles           {a['total']} ({a['last_24h']} collectés en 24 h ; dernier : {a['newest'] or '-'})",
            f"sources            {figures['outlets']['total']} ({figures['outlets']['active']} actives)",
            f"flux               {f['total']} : {f['active']} actifs, {f['parked']} en pause, "
            f"{f['disabled']} désactivés ; {f['failing']} en erreur, {f['leased']} en cours, "
            f"{f['due']} à collecter, {f['overdue']} en retard",
            f"erreurs en 24 h    {f['errors_24h']} flux, {f['failed_fetches_24h']} collectes échouées",
            f"dernière collecte  {figures['last_crawl'] or 'jamais'}",
            f"histoires          {figures['stories']}",
            f"files d'attente    recherche {q['search']}, histoires {q['stories']}",
        ]))
