"""The ``revue`` command: Revue's own commands over Django's management framework.

``revue init | demo | serve | crawl | worker | sources | search | stories …`` are Django management
commands of Revue's apps (``USAGE`` lists each one; a test holds it to the commands that exist);
any other Django command (``createsuperuser``, ``migrate``, ``shell``…) works too. A command that
fails exits non-zero with one line saying why (``--traceback`` shows the traceback instead).
"""

from __future__ import annotations

import os
import sys

USAGE = """\
usage: revue COMMAND [options]

  init                      create or migrate the database in the data folder (REVUE_DATA_DIR)
  demo [--port N]           run the portal on the offline demo press (crawls it first)
  serve [--port N]          serve the portal (production WSGI server)
  crawl [--forever]         fetch every feed that is due, once (or keep going)
  worker                    a crawler worker that runs until stopped (same as crawl --forever)
  sources add URL           follow an outlet: a feed URL or a site URL (its feed is discovered)
  sources import FILE.opml  follow every feed of an OPML file
  sources export            print the followed feeds as OPML
  sources list              list outlets and the state of their feeds
  sources defaults          follow the default list of Moroccan outlets
  sources check [--tsv]     which default feeds answer, moved or are dead (stores nothing)
  search reindex            rebuild the search index from the articles
  search pending            how many articles wait for the search index
  stories rebuild           forget every story and cluster the whole archive again
  stories update            cluster the articles that have no story yet
  stories status            how many stories, how many articles without one
  stats [--json]            articles, outlets, feeds by state, errors in 24 h, last crawl, queues
  prune [--days N]          drop articles older than REVUE_RETENTION_DAYS that no story still shows

  createsuperuser           create an account for the admin (/admin/)
  help COMMAND              options of one command
"""


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revue.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help"}:
        print(USAGE, end="")
        return 0
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["revue", *args])
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a command's failure: one line, not a traceback (--traceback for it)
        if "--traceback" in args:
            raise
        print(f"revue {args[0]}: {failure_reason(error)}", file=sys.stderr)
        return 1
    return 0


def failure_reason(error: Exception) -> str:
    """One line saying why a command failed (the first line of the error, with its kind)."""
    from django.db import DatabaseError

    text = (str(error).strip().splitlines() or [""])[0]
    if isinstance(error, DatabaseError):
        return f"database error: {text} (is it created and migrated? revue init)"
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


if __name__ == "__main__":
    sys.exit(main())
