"""The completion rule: files reconciled, not messages counted (DECISIONS 10-13)."""

from __future__ import annotations

import itertools
import os
from datetime import datetime, timedelta

import pytest

from cohort_packager.completion import evaluate_job

JOB_ID = "11111111-2222-3333-4444-555555555555"
NOW = datetime(2024, 3, 1, 12, 0, 0)
_arrival = itertools.count(1)
_guid = itertools.count(1)


def _header(parents: str = "") -> dict:
    return {"messageGuid": f"00000000-0000-0000-0000-{next(_guid):012d}", "parents": parents,
            "receivedAt": NOW}


def _job(store, key_count=1, identifiable=False, **extra) -> dict:
    document = {"_id": JOB_ID, "header": _header(), "keyCount": key_count,
                "extractionDirectory": "P1/extractions/ex1", "isIdentifiableExtraction":
                identifiable, "arrival": next(_arrival), **extra}
    store.jobs.insert_one(document)
    return document


def _collection(store, key: str, files: list[tuple[str, str]]) -> None:
    store.collections.insert_one({
        "_id": f"{JOB_ID}:{key}", "jobId": JOB_ID, "arrival": next(_arrival), "key": key,
        "header": _header(),
        "expectedFiles": [{"extractFileMessageGuid": g, "anonymisedFilePath": p}
                          for g, p in files],
        "rejectedKeys": {"rejectionInfo": []},
    })


def _outcome(store, output: str | None, verified="NotIdentifiable", extracted="Anonymised",
             source="a.dcm", parents="") -> None:
    header = _header(parents)
    store.outcomes.insert_one({
        "_id": header["messageGuid"], "jobId": JOB_ID, "arrival": next(_arrival),
        "header": header, "dicomFilePath": source, "outputFileName": output,
        "extractedFileStatus": extracted, "verifiedFileStatus": verified, "statusMessage": "x",
    })


def _on_disk(root, *paths):
    for path in paths:
        target = root / "P1/extractions/ex1" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.touch()


def _evaluate(environment, grace=600.0, stalled=3600.0, now=NOW, last_activity=None):
    job = environment.store.job(JOB_ID)
    return evaluate_job(environment.store, job, environment.extract_root, grace, stalled, now,
                        last_activity)


G1, G2 = "aaaaaaaa-0000-0000-0000-000000000001", "aaaaaaaa-0000-0000-0000-000000000002"


def test_job_waits_for_collection_info_of_every_requested_key(environment):
    _job(environment.store, key_count=2)
    _collection(environment.store, "k1", [])

    progress = _evaluate(environment)

    assert not progress.complete
    assert progress.waiting_on == "file collection info for 1 of 2 keys"


def test_job_whose_keys_were_all_rejected_is_complete(environment):
    _job(environment.store, key_count=2)
    _collection(environment.store, "k1", [])
    _collection(environment.store, "k2", [])

    assert _evaluate(environment).complete


def test_repeated_outcomes_for_one_file_count_once(environment):
    _job(environment.store)
    _collection(environment.store, "k1", [(G1, "S/1.dcm"), (G2, "S/2.dcm")])
    _on_disk(environment.extract_root, "S/1.dcm", "S/2.dcm")
    _outcome(environment.store, "S/1.dcm")
    _outcome(environment.store, "S/1.dcm")

    progress = _evaluate(environment)

    assert not progress.complete
    assert (progress.files_accounted, progress.files_expected) == (1, 2)


def test_outcome_for_a_file_never_dispatched_counts_for_nothing_and_is_flagged(environment):
    _job(environment.store)
    _collection(environment.store, "k1", [(G1, "S/1.dcm")])
    _outcome(environment.store, "S/other.dcm")

    progress = _evaluate(environment)

    assert not progress.complete
    assert progress.unmatched_outcomes == 1


def test_failure_without_output_path_is_matched_through_its_parent_message(environment):
    _job(environment.store)
    _collection(environment.store, "k1", [(G1, "S/1.dcm"), (G2, "S/2.dcm")])
    _on_disk(environment.extract_root, "S/1.dcm")
    _outcome(environment.store, "S/1.dcm")
    _outcome(environment.store, None, verified="NotVerified", extracted="ErrorWontRetry",
             parents=f"ffffffff-0000-0000-0000-000000000000->{G2}")

    assert _evaluate(environment).complete


def test_written_file_absent_from_disk_blocks_completion_until_the_grace_period_ends(
        environment):
    _job(environment.store)
    _collection(environment.store, "k1", [(G1, "S/1.dcm")])
    _outcome(environment.store, "S/1.dcm")

    waiting = _evaluate(environment, grace=60)
    later = _evaluate(environment, grace=60, now=NOW + timedelta(seconds=61))

    assert not waiting.complete and waiting.awaiting_disk == 1
    assert later.complete and len(later.missing_on_disk) == 1


def test_written_file_appearing_within_the_grace_period_completes_the_job(environment):
    _job(environment.store)
    _collection(environment.store, "k1", [(G1, "S/1.dcm")])
    _outcome(environment.store, "S/1.dcm")
    assert not _evaluate(environment).complete

    _on_disk(environment.extract_root, "S/1.dcm")
    progress = _evaluate(environment, now=NOW + timedelta(seconds=5))

    assert progress.complete and progress.missing_on_disk == []


def test_symlink_leading_outside_the_extraction_does_not_count_as_the_written_file(
        environment, tmp_path):
    _job(environment.store)
    _collection(environment.store, "k1", [(G1, "S/1.dcm")])
    _outcome(environment.store, "S/1.dcm")
    outside = tmp_path / "outside.dcm"
    outside.touch()
    folder = environment.extract_root / "P1/extractions/ex1/S"
    folder.mkdir(parents=True)
    os.symlink(outside, folder / "1.dcm")

    assert not _evaluate(environment).complete


@pytest.mark.parametrize("identifiable, expected", [(True, False), (False, True)])
def test_copied_file_must_be_on_disk_only_for_identifiable_extractions(environment,
                                                                       identifiable, expected):
    _job(environment.store, identifiable=identifiable)
    _collection(environment.store, "k1", [(G1, "S/1.dcm")])
    _outcome(environment.store, "S/1.dcm", verified="NotVerified", extracted="Copied")

    assert _evaluate(environment).complete is expected


def test_job_without_progress_for_the_stalled_timeout_is_marked_stalled(environment):
    _job(environment.store, key_count=3)

    progress = _evaluate(environment, stalled=60, now=NOW + timedelta(minutes=5))

    assert progress.stalled
    assert environment.store.job(JOB_ID)["progress"]["stalled"] is True


def test_evaluation_records_status_and_progress_on_the_job(environment):
    _job(environment.store)
    _collection(environment.store, "k1", [(G1, "S/1.dcm")])

    _evaluate(environment)

    job = environment.store.job(JOB_ID)
    assert job["jobStatus"] == "WaitingForStatuses"
    assert job["progress"]["filesExpected"] == 1
    assert job["progress"]["waitingOn"] == "outcomes for 1 of 1 files"
