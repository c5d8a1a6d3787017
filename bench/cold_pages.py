"""Benchmark: the first view of each kind of page just after the reader generation is renewed,
this checkout beside an older commit, in the same run.

    python bench/cold_pages.py --data build/serve-100k/sqlite --before d409f43
    REVUE_DATABASE_URL=postgres://… REVUE_CACHE_URL=redis://… python bench/cold_pages.py --data DIR --before REV

A renewal (a settle, a block: ``revue.news.cache.invalidate_reader_caches``) empties every page
and value the portal keeps, so the next reader of each page waits for its whole render: the
queries, the templates, the page cache's gzip and ETag. Each side runs in its own process (a
Django set up from that side's code: this checkout, and a ``git worktree`` of ``--before`` made
for the run and removed after), on the same archive (``--data``: a data folder such as
``bench/serve.py --full --keep`` makes, or ``$REVUE_DATA_DIR``; ``REVUE_DATABASE_URL`` and
``REVUE_CACHE_URL`` are passed on as they are). Each round renews the generation then asks for
one page through Django's test client with every middleware, the sides taking turns to go first
so that the shared machine's drift falls on both; the pages: home, a category, an outlet, a
story, an article (found on this side's home page) and the Arabic home. Printed per page: the
median and slowest of ``--rounds`` for each side and the ratio of medians; the same for the CPU
time of the request's thread (which other processes on the shared machine barely move); and in
how many rounds both sides answered byte for byte the same page, then the same but for what the
clock changes between two requests (« il y a 5 minutes », the report buttons' signed tokens;
``--diff DIR`` writes the first pair that differ otherwise).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# what the clock changes between two sides' requests: « il y a 5 minutes », and the report
# buttons' tokens (signed with the time)
RELATIVE_TIME = re.compile(rb'(<time datetime="[^"]*">)[^<]*(</time>)|( name="jeton" value=")[^"]*(")')


# --- the worker: one side's Django, answering one request at a time ----------------------------

def worker(root: Path) -> None:
    """Read a path per line on stdin; renew the generation, get the page, answer with a JSON line."""
    sys.path.insert(0, str(root))
    os.chdir(root)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revue.settings")
    import django

    django.setup()
    from django.test import Client

    from revue.news.cache import invalidate_reader_caches

    client = Client(HTTP_HOST="localhost")
    for line in sys.stdin:
        asked = json.loads(line)
        invalidate_reader_caches()
        started, cpu = time.perf_counter(), time.thread_time()
        response = client.get(asked["path"])
        spent, cpu = (time.perf_counter() - started) * 1000, (time.thread_time() - cpu) * 1000
        body = response.content
        answer = {"ms": spent, "cpu": cpu, "status": response.status_code, "md5": hashlib.md5(body).hexdigest(),
                  "md5_timeless": hashlib.md5(RELATIVE_TIME.sub(rb"\1\2\3\4", body)).hexdigest()}
        if asked.get("body"):
            answer["body"] = body.decode("utf-8", "replace")
        print(json.dumps(answer), flush=True)


class Side:
    """A worker process running one checkout's code."""

    def __init__(self, name: str, root: Path, data: Path):
        self.name, self.root = name, root
        env = {**os.environ, "REVUE_DATA_DIR": str(data), "REVUE_LOG_LEVEL": "WARNING", "PYTHONPATH": str(root)}
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--worker", str(root)], cwd=root, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )

    def get(self, path: str, body: bool = False) -> dict:
        self.process.stdin.write(json.dumps({"path": path, "body": body}) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"the {self.name} side's worker ended (its error above)")
        return json.loads(line)

    def close(self) -> None:
        try:
            self.process.stdin.close()
            self.process.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()


# --- the run -------------------------------------------------------------------------------------

def pages_of(home: str) -> dict[str, str]:
    """The pages measured, found on the home page's HTML."""
    article = re.search(r'href="(/[-a-zA-Z0-9_]+/[0-9]+)"', home).group(1)
    story = re.search(r'href="(/histoire/[0-9]+/)"', home)
    category = re.search(r'href="(/categorie/[-a-zA-Z0-9_]+/)"', home)
    return {
        "home": "/",
        "category": category.group(1) if category else "/categorie/maroc/",
        "outlet": article.rsplit("/", 1)[0] + "/",
        "story": story.group(1) if story else "/histoire/1/",
        "article": article,
        "home (ar)": "/ar/",
    }


def worktree(revision: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="revue-cold-pages-"))
    subprocess.run(["git", "worktree", "add", "--detach", str(folder), revision], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # the catalogues are built, not committed (the Makefile's target)
    subprocess.run([sys.executable, "-m", "revue.portal.translations"], cwd=folder, check=True,
                   env={**os.environ, "PYTHONPATH": str(folder)}, stdout=subprocess.DEVNULL)
    return folder


def remove_worktree(folder: Path) -> None:
    subprocess.run(["git", "worktree", "remove", "--force", str(folder)], cwd=ROOT, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shutil.rmtree(folder, ignore_errors=True)


def first_difference(one: str, other: str) -> str:
    for number, (a, b) in enumerate(zip(one.splitlines(), other.splitlines()), 1):
        if a != b:
            return f"line {number}: {a.strip()[:100]!r} / {b.strip()[:100]!r}"
    return "one is longer"


def run(sides: list[Side], rounds: int, diff: Path | None) -> None:
    home = sides[-1].get("/", body=True)
    if home["status"] != 200:
        raise SystemExit(f"the home page answered {home['status']}")
    pages = pages_of(home["body"])
    for side in sides:  # warm up: imports, templates compiled, connections opened
        for path in pages.values():
            side.get(path)
    times = {(side.name, page): [] for side in sides for page in pages}
    cpu = {(side.name, page): [] for side in sides for page in pages}
    same = {page: 0 for page in pages}
    same_timeless = {page: 0 for page in pages}
    differences = {}
    for number in range(rounds):
        for page, path in pages.items():
            turn = sides if number % 2 == 0 else sides[::-1]
            answers = {side.name: side.get(path, body=diff is not None) for side in turn}
            for side in sides:
                if answers[side.name]["status"] != 200:
                    raise SystemExit(f"{side.name}: {path} answered {answers[side.name]['status']}")
                times[(side.name, page)].append(answers[side.name]["ms"])
                cpu[(side.name, page)].append(answers[side.name]["cpu"])
            digests = {answer["md5"] for answer in answers.values()}
            same[page] += len(digests) == 1
            timeless = {answer["md5_timeless"] for answer in answers.values()}
            same_timeless[page] += len(timeless) == 1
            if len(timeless) > 1 and diff is not None and page not in differences:
                bodies = [answers[side.name]["body"] for side in sides]
                differences[page] = first_difference(*bodies) if len(bodies) == 2 else ""
                for side, body in zip(sides, bodies):
                    (diff / f"{page.replace(' ', '-')}.{side.name}.html").write_text(body)
    names = [side.name for side in sides]
    print(f"first view after a renewal: median (slowest) of {rounds}, ms, the sides taking turns; then the median "
          "CPU time of the request's thread (what other processes on the machine do not add to)")
    print(f"{'page':<11}{'path':<24}" + "".join(f"{name[:17]:>18}" for name in names)
          + (f"{'ratio':>7}" if len(sides) == 2 else "") + "".join(f"{'CPU ' + name[:13]:>18}" for name in names)
          + (f"{'ratio':>7}{'same page':>11}{'but times':>11}" if len(sides) == 2 else ""))
    for page, path in pages.items():
        walls = [times[(name, page)] for name in names]
        cpus = [statistics.median(cpu[(name, page)]) for name in names]
        line = f"{page:<11}{path[:23]:<24}" + "".join(f"{statistics.median(w):>11.1f} ({max(w):>4.0f})" for w in walls)
        if len(sides) == 2:
            line += f"{statistics.median(walls[1]) / statistics.median(walls[0]):>7.2f}"
        line += "".join(f"{c:>18.1f}" for c in cpus)
        if len(sides) == 2:
            line += f"{cpus[1] / cpus[0]:>7.2f}{same[page]:>7}/{rounds}{same_timeless[page]:>7}/{rounds}"
        print(line, flush=True)
    for page, where in differences.items():
        print(f"{page}: the sides differ, {where} (both written to {diff})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("REVUE_DATA_DIR", ROOT / "build" / "data")),
                        help="the archive's data folder (default: $REVUE_DATA_DIR)")
    parser.add_argument("--before", help="a commit measured beside this checkout (a worktree of it, for the run)")
    parser.add_argument("--rounds", type=int, default=15, help="requests per page and side")
    parser.add_argument("--diff", type=Path, help="write the first pair of differing pages there")
    options = parser.parse_args()
    if options.worker:
        worker(options.worker)
        return
    data = options.data.resolve()
    if not data.exists():
        raise SystemExit(f"{data} does not exist (an archive: bench/serve.py --full --keep DIR makes one)")
    if options.diff:
        options.diff.mkdir(parents=True, exist_ok=True)
    before = worktree(options.before) if options.before else None
    sides = []
    try:
        if before is not None:
            sides.append(Side(f"before {options.before[:10]}", before, data))
        sides.append(Side("this checkout", ROOT, data))
        print(f"archive {data}; database {os.environ.get('REVUE_DATABASE_URL', 'SQLite in the folder')}, "
              f"cache {os.environ.get('REVUE_CACHE_URL', 'in memory')}")
        run(sides, options.rounds, options.diff)
    finally:
        for side in sides:
            side.close()
        if before is not None:
            remove_worktree(before)


if __name__ == "__main__":
    main()
