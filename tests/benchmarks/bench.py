"""Benchmarks at municipal scale: `make bench` (sizes 100 k, 1 M, 10 M answers) and `make bench-quick`.

Five scenarios, each measured together with its reference in the same run, on SQLite and on
PostgreSQL; the results go to BENCHMARKS.md (see its head for how to read it):

1. submit     — POST /api/v1/responses through `survey serve` under wrk, against a bare litestar
                endpoint served the same way
2. bulk load  — `survey demo` at the report size, against the same rows inserted by the driver alone
3. aggregation — survey.store.counts.count_table for one Dezernat over all waves, against the same
                hand-written GROUP BY through the driver alone, at every size
4. report     — a unit page, the Dezernat's report and the organisation overview over HTTP:
                computed from nothing, cold (first request after a server start, with the figures
                and charts kept in the database), warm, and the unit page after a new answer; the
                share of SQL, statistics and chart rendering; peak memory at the largest size
5. mixed load — scenario 1 while four clients fetch reports
6. overhead   — GET /health and a content-hashed stylesheet through `survey serve`, against the
                bare litestar app's routes doing the same job, served the same way

The Dezernat measured keeps its own staff at every size; the other Dezernate grow, so scenario 3
shows whether its cost follows its own answers or the size of the database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import DEZERNAT, Database, Results, build_size, machine_facts
from scenarios import aggregation, bulk_load, mixed_load, overhead, profile_submit, report, submit

ROOT = Path(__file__).resolve().parents[2]

PRESETS = {
    # sizes in answers; the report, submit and bulk-load scenarios run at `middle`
    "quick": {"sizes": [20_000, 100_000], "middle": 100_000, "seconds": 2, "repeats": 3},
    "default": {"sizes": [100_000, 1_000_000, 10_000_000], "middle": 1_000_000, "seconds": 10, "repeats": 5},
}


def _size(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    try:
        number = float(text[:-1] if factor > 1 else text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}`: give a size such as 100k, 1M or 2500000") from None
    if not 10_000 <= number * factor <= 50_000_000:
        raise argparse.ArgumentTypeError(f"`{text}`: give a size from 10k to 50M answers")
    return int(number * factor)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="small sizes and short load runs (about 2 minutes)"
    )
    parser.add_argument(
        "--sizes", type=lambda s: [_size(x) for x in s.split(",")], help="answers, e.g. 100k,1M,10M"
    )
    parser.add_argument("--middle", type=_size, help="size of the report, submit and bulk-load scenarios")
    parser.add_argument("--engines", default="sqlite,postgres", help="sqlite, postgres or both (default)")
    parser.add_argument("--seconds", type=int, help="length of each load run (wrk -d)")
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md", help="the results file")
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench", help="folder for SQLite files")
    args = parser.parse_args(argv)
    preset = PRESETS["quick" if args.quick else "default"]
    args.sizes = sorted(set(args.sizes or preset["sizes"]))
    args.middle = args.middle or preset["middle"]
    if args.middle not in args.sizes:
        args.sizes = sorted({*args.sizes, args.middle})
    args.seconds = args.seconds or preset["seconds"]
    args.repeats = preset["repeats"]
    args.engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = set(args.engines) - {"sqlite", "postgres"}
    if unknown or not args.engines:
        parser.error(f"--engines {','.join(sorted(unknown)) or '(none)'}: give sqlite, postgres or both")
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed: `make bench` installs it (apt-get install wrk)")
    return args


def run_engine(engine: str, args: argparse.Namespace, results: Results) -> None:
    database = Database(engine, args.work)
    print(f"== {engine}: building {', '.join(f'{s:,}' for s in args.sizes)} answers", flush=True)
    urls: dict[int, str] = {}
    for size in args.sizes:
        url, built = build_size(database, size, base=args.sizes[0])
        urls[size] = url
        results.sizes.setdefault(engine, []).append(built)
        print(
            f"   {size:>12,}: {built.answers:,} answers ({built.dezernat_answers:,} in {DEZERNAT}) "
            f"in {built.seconds:.1f} s",
            flush=True,
        )
        if size == args.middle:
            bulk_load(database, url, built, results)
    reference = aggregation(database, urls, args.repeats, results)
    # the quick run leaves out the peak-memory runs and, on PostgreSQL, four workers
    largest = None if args.quick else urls[args.sizes[-1]]
    report(database, urls[args.middle], largest, reference[args.middle], results)
    overhead(database, urls[args.middle], args.seconds, results)
    baseline = submit(database, urls[args.middle], args.seconds, results, quick=args.quick)
    mixed_load(database, urls[args.middle], args.seconds, baseline, results)
    if not args.quick:
        profile_submit(
            database, urls[args.middle], args.seconds, args.work / f"profile-submit-{engine}.txt", results
        )


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    started = time.perf_counter()
    results = Results(
        date=dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        machine=machine_facts(),
        preset="quick" if args.quick else "default",
        middle=args.middle,
    )
    args.work.mkdir(parents=True, exist_ok=True)
    for engine in args.engines:
        run_engine(engine, args, results)
    results.minutes = (time.perf_counter() - started) / 60
    args.out.write_text(results.markdown(), encoding="utf-8")
    # the same figures for machines, next to the databases (not committed)
    (args.work / f"{args.out.stem}.json").write_text(
        json.dumps(results.as_json(), indent=1), encoding="utf-8"
    )
    print(
        f"== wrote {args.out} ({results.minutes:.1f} minutes); targets missed: {results.missed() or 'none'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
