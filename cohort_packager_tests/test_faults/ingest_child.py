"""Child process of the fault tests: one ingest tick on `$COHORT_PACKAGER_CONFIG`, paused at a
chosen point so the parent can inject a fault there.

    python -m cohort_packager_tests.test_faults.ingest_child MARKER RESUME POINT

POINT is one of:
  after-first-batch   the first batch is stored and not yet acknowledged;
  mid-outcome-insert  the first batch is stored and acknowledged, and half of the next
                      batch's outcomes are inserted.
The wrapping is done here only; the code under test runs unchanged. Exit status: 0 the tick
ended, FAULT_EXIT it raised IngestFault (printed on stderr), anything else a crash.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from cohort_packager.config import load_settings
from cohort_packager.ingest import consumer
from cohort_packager.ingest.batch import ArrivalClock
from cohort_packager.store.connection import open_database
from cohort_packager.store.extraction_store import ExtractionStore, InsertResult
from cohort_packager_tests.test_faults.pause_point import PausePoint

FAULT_EXIT = 3
POINTS = ("after-first-batch", "mid-outcome-insert")


def main(argv: list[str] | None = None) -> int:
    arguments = _arguments(argv)
    pause = PausePoint(arguments.marker, arguments.resume)
    if arguments.point == "after-first-batch":
        _pause_after_first_batch(pause)
    else:
        _pause_mid_outcome_insert(pause)

    settings = load_settings()
    client, database = open_database(settings.mongo)
    try:
        report = consumer.drain_queues(settings.rabbit, settings.packager,
                                       ExtractionStore(database), ArrivalClock())
    except consumer.IngestFault as fault:
        print(f"IngestFault: {fault}", file=sys.stderr)
        return FAULT_EXIT
    finally:
        client.close()
    print(report.summary())
    return 0


def _pause_after_first_batch(pause: PausePoint) -> None:
    real_store_parsed = consumer.store_parsed
    batches = []

    def store_then_pause(store, parsed):
        outcome = real_store_parsed(store, parsed)
        batches.append(outcome)
        if len(batches) == 1:
            pause.reach({"stored": dict(outcome.stored), "duplicates": dict(outcome.duplicates),
                         "rejected": dict(outcome.rejected)})
        return outcome

    consumer.store_parsed = store_then_pause


def _pause_mid_outcome_insert(pause: PausePoint) -> None:
    real_store_parsed = consumer.store_parsed
    real_insert = ExtractionStore.insert_outcomes
    acknowledged: Counter = Counter()
    paused = []

    def store_and_count(store, parsed):
        outcome = real_store_parsed(store, parsed)
        acknowledged.update(outcome.stored)
        acknowledged.update(outcome.duplicates)
        return outcome

    def insert_in_halves(store, documents):
        if not acknowledged or paused or len(documents) < 2:
            return real_insert(store, documents)
        paused.append(True)
        half = len(documents) // 2
        first = real_insert(store, documents[:half])
        pause.reach({"acknowledged": dict(acknowledged),
                     "inserted_before_pause": dict(Counter(d["queue"] for d in first.inserted))})
        rest = real_insert(store, documents[half:])
        return InsertResult(first.inserted + rest.inserted, first.duplicates + rest.duplicates)

    consumer.store_parsed = store_and_count
    ExtractionStore.insert_outcomes = insert_in_halves


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("marker")
    parser.add_argument("resume")
    parser.add_argument("point", choices=POINTS)
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
