"""Fuzz one target with atheris (libFuzzer, coverage-guided), for a bounded time.

    python fuzz/run.py feeds|extraction [--seconds 60] [--dev-data ../shared/dev-data]
    python fuzz/run.py feeds --replay FILE        # run one input through the target, traceback and all

``make fuzz`` runs both targets, ``FUZZ_SECONDS`` each (60 by default). The working corpus lives
in ``build/fuzz/<target>/corpus`` and grows from run to run; it is seeded with the real feeds and
pages of ``../shared/dev-data`` when they are there (``feeds/``; ``extraction/``: a fixed sample of
the smaller pages, so that the first run gets past its seeds), and with every input kept under
``tests/crawl/fuzz_crashes/<target>/``. An input that crashes the target (an exception, see
``fuzz/targets.py``), runs past ``--timeout`` seconds or past the memory limit is copied there,
named by its digest: ``tests/crawl/test_fuzz_regressions.py`` then runs it in every ``make test``.
The command exits 1 when it kept one.

The fuzzer runs in a child process (libFuzzer ends its process when it stops), which this one
waits for, then collects the artifacts.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CRASHES = ROOT / "tests" / "crawl" / "fuzz_crashes"
WORK = ROOT / "build" / "fuzz"
DEV_DATA = ROOT.parent / "shared" / "dev-data"
# the largest input the fuzzer makes (longer seeds are cut there, as a truncated download is):
# room for a feed's channel and several items or a page's article, small enough for many runs a
# second and for a kept crash to be a small file
MAX_LEN = {"feeds": 16384, "extraction": 32768}
SEED_PAGES = 80  # pages of dev-data/extraction taken as seeds (each run reads every seed first)
# what atheris instruments for coverage, beyond the standard library (our code and the pure-Python
# libraries that read outside bytes; lxml and nh3 are compiled and not instrumented)
INSTRUMENTED = {
    "feeds": ["revue", "fastfeedparser", "feedparser"],
    "extraction": ["revue", "trafilatura", "htmldate", "justext", "courlan"],
}
ARTIFACT_KINDS = ("crash", "timeout", "oom", "slow-unit", "leak")


def _seeds(target: str, dev_data: Path) -> list[Path]:
    """Real inputs to start from: the dev-data files that fit, and every kept crash."""
    found: list[Path] = []
    if target == "feeds" and (dev_data / "feeds").is_dir():
        found = sorted(p for p in (dev_data / "feeds").iterdir() if p.is_file())
    elif target == "extraction" and (dev_data / "extraction").is_dir():
        pages = sorted((dev_data / "extraction").glob("readability/*/source.html"))
        pages += sorted((dev_data / "extraction").glob("trafilatura_eval/html/*"))
        pages = [p for p in pages if p.is_file() and p.stat().st_size <= 4 * MAX_LEN[target]]
        # a fixed sample spread over both sets (by digest of the name: the same on every machine)
        found = sorted(pages, key=lambda p: hashlib.sha1(str(p.relative_to(dev_data)).encode()).hexdigest())[:SEED_PAGES]
    kept = CRASHES / target
    if kept.is_dir():
        found += sorted(p for p in kept.iterdir() if p.is_file())
    return found


def _seed_corpus(target: str, dev_data: Path) -> Path:
    corpus = WORK / target / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for path in _seeds(target, dev_data):
        data = path.read_bytes()[: MAX_LEN[target]]
        (corpus / hashlib.sha1(data).hexdigest()).write_bytes(data)
    return corpus


def _keep_artifacts(target: str, since: float) -> list[Path]:
    """Copy the crashes of this run into tests/crawl/fuzz_crashes/<target>/ (named by digest)."""
    kept = []
    for artifact in sorted((WORK / target).glob("*-*")):
        kind = next((k for k in ARTIFACT_KINDS if artifact.name.startswith(k + "-")), None)
        if kind is None or not artifact.is_file() or artifact.stat().st_mtime < since:
            continue
        data = artifact.read_bytes()
        destination = CRASHES / target / f"{kind}-{hashlib.sha1(data).hexdigest()[:16]}.bin"
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(data)
        kept.append(destination)
    return kept


def fuzz(target: str, seconds: int, dev_data: Path, timeout: int, rss_limit_mb: int) -> int:
    corpus = _seed_corpus(target, dev_data)
    print(f"fuzz {target}: {seconds} s, corpus {corpus.relative_to(ROOT)} ({len(list(corpus.iterdir()))} inputs)", flush=True)
    started = time.time()
    child = subprocess.run([
        sys.executable, str(Path(__file__).resolve()), target, "--child", "--",
        str(corpus), f"-max_total_time={seconds}", f"-max_len={MAX_LEN[target]}", f"-timeout={timeout}",
        f"-rss_limit_mb={rss_limit_mb}", f"-artifact_prefix={WORK / target}/", "-print_final_stats=1",
    ], cwd=ROOT)
    kept = _keep_artifacts(target, started)
    for path in kept:
        print(f"fuzz {target}: kept {path.relative_to(ROOT)} — replay: python fuzz/run.py {target} --replay {path.relative_to(ROOT)}")
    if kept:
        return 1
    if child.returncode != 0:
        print(f"fuzz {target}: the fuzzer ended with status {child.returncode} and left no input", file=sys.stderr)
        return child.returncode
    print(f"fuzz {target}: no crash in {seconds} s")
    return 0


def child(target: str, libfuzzer_args: list[str]) -> None:
    import atheris

    sys.path.insert(0, str(ROOT))
    with atheris.instrument_imports(include=INSTRUMENTED[target]):
        from fuzz.targets import TARGETS
    run = TARGETS[target]
    atheris.Setup([sys.argv[0], *libfuzzer_args], run)
    atheris.Fuzz()


def replay(target: str, path: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from fuzz.targets import TARGETS

    TARGETS[target](path.read_bytes())
    print(f"{path}: handled")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", choices=sorted(MAX_LEN))
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("FUZZ_SECONDS", "60")))
    parser.add_argument("--dev-data", type=Path, default=DEV_DATA)
    parser.add_argument("--timeout", type=int, default=20, help="seconds one input may take")
    parser.add_argument("--rss-limit-mb", type=int, default=3072)
    parser.add_argument("--replay", type=Path)
    if sys.argv[2:3] == ["--child"]:  # run.py TARGET --child -- LIBFUZZER ARGS (libFuzzer's own "-flag=value" syntax)
        child(sys.argv[1], sys.argv[sys.argv.index("--") + 1 :])
        return 0
    args = parser.parse_args()
    if args.replay:
        replay(args.target, args.replay)
        return 0
    return fuzz(args.target, args.seconds, args.dev_data, args.timeout, args.rss_limit_mb)


if __name__ == "__main__":
    sys.exit(main())
