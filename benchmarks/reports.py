"""Report build time and memory for a large extraction, against a bare scan of its documents.

Stores a completed extraction of `--files` files directly in MongoDB, in the documents ingest
writes: a file-collection document per 100 files (one key in ten with rejections), and one
outcome per file: 2% anonymisation failures, 10% IsIdentifiable verdicts with multi-part reports,
the rest clean. It then builds the four reports through the report job's code path
(`stage_report` per file, then `publish_if_complete`) and reports the seconds taken (R) and the
peak RSS of this process while building, sampled every 50 ms. A bare pymongo scan of the job's
outcome and file-collection documents gives the reference time (S). Exits 1 when a report has
other than the expected number of rows. The last line of output is JSON with the figures.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import common  # noqa: F401  (first: puts the project on the path)
from common import (
    PeakRss,
    Stopwatch,
    failure_count,
    failure_report,
    fresh_store,
    mongo_server,
    print_result,
    unique_token,
)

from cohort_packager.assets.staging import ReportRun, publish_if_complete, stage_report
from cohort_packager.messages import (
    DispatchedFile,
    ExtractionRequestInfo,
    FileCollectionInfo,
    FileStatus,
    FileVerification,
    MessageHeader,
    Rejection,
)
from cohort_packager.reports import REPORT_FILES, reports_folder
from cohort_packager.store import documents
from cohort_packager.store.extraction_store import ExtractionStore

FILES_PER_KEY = 100
BATCH = 1000
PUBLISHED_AT = 1709285400
SUBMITTED_AT = datetime(2024, 3, 1, 9, 30, tzinfo=timezone.utc)
EXTRACTION_DIRECTORY = "PRJ042/extractions/bench-reports"
REJECTION_REASONS = ("ImageType is not ORIGINAL", "Modality was not CT", "Blacklisted",
                     "Burned-in annotation, flagged")
ANONYMISER_ERROR = "Anonymiser exited with code 1: pixel data could not be decoded"


@dataclass
class ExpectedRows:
    """Data rows each report must have, counted while generating the documents."""

    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REPORT_FILES, 0))


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    token = unique_token()
    with mongo_server() as uri, tempfile.TemporaryDirectory(prefix="cohort-bench-") as work:
        with fresh_store(uri, f"bench_{token}_reports") as store:
            job_id = str(uuid.uuid4())
            expected = _store_extraction(store, job_id, args.files, args.lenient_share)
            seconds, rows, peak_mb = _build_reports(store, job_id, Path(work) / "extract")
            scan_seconds = _scan(store, job_id)

    ratio = seconds / scan_seconds
    print(f"reports {seconds:.1f} s, scan {scan_seconds:.1f} s, ratio {ratio:.2f}, "
          f"peak RSS {peak_mb:.0f} MB")
    wrong = {name: (rows[name], count) for name, count in expected.rows.items()
             if rows.get(name) != count}
    for name, (found, count) in wrong.items():
        print(f"FAILED: {name} has {found} rows, expected {count}", file=sys.stderr)
    print_result({"files": args.files, "report_seconds": round(seconds, 2),
                  "scan_seconds": round(scan_seconds, 2), "ratio": round(ratio, 2),
                  "peak_rss_mb": round(peak_mb, 1)})
    return 1 if wrong else 0


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1_000_000, help="files in the extraction")
    parser.add_argument("--lenient-share", type=float, default=0.1,
                        help="share of IsIdentifiable reports written with single quotes")
    args = parser.parse_args(argv)
    if args.files < 1:
        parser.error("--files must be at least 1")
    if not 0 <= args.lenient_share <= 1:
        parser.error("--lenient-share must be between 0 and 1")
    return args


def _store_extraction(store: ExtractionStore, job_id: str, files: int,
                      lenient_share: float) -> ExpectedRows:
    """Insert the job, its file collections and its outcomes; returns the expected rows."""
    expected = ExpectedRows()
    keys = -(-files // FILES_PER_KEY)
    arrival = 0
    job = documents.job_document(_request_info(job_id, keys), _header(job_id, 0), arrival)
    job.update(completedAt=_millis(SUBMITTED_AT + timedelta(hours=5)), jobStatus="Completed")
    store.jobs.insert_one(job)

    collections: list[dict] = []
    outcomes: list[dict] = []
    with Stopwatch() as watch:
        for key in range(keys):
            first, last = key * FILES_PER_KEY, min(files, (key + 1) * FILES_PER_KEY)
            arrival += 1
            collections.append(_collection(job_id, key, first, last, arrival, expected))
            for index in range(first, last):
                arrival += 1
                outcomes.append(_outcome(job_id, index, arrival, lenient_share, expected))
            _flush(store.collections, collections)
            _flush(store.outcomes, outcomes)
            if last % 50_000 == 0 or last == files:
                print(f"  stored {last:,} / {files:,} files ({last / watch.elapsed:,.0f}/s)",
                      flush=True)
        _flush(store.collections, collections, force=True)
        _flush(store.outcomes, outcomes, force=True)
    print(f"stored {files:,} outcomes and {keys:,} file collections in {watch.seconds:.1f} s",
          flush=True)
    return expected


def _flush(collection, batch: list[dict], force: bool = False) -> None:
    if batch and (force or len(batch) >= BATCH):
        collection.insert_many(batch, ordered=False)
        batch.clear()


def _request_info(job_id: str, keys: int) -> ExtractionRequestInfo:
    return ExtractionRequestInfo(
        job_id=job_id, project_number="PRJ042", extraction_directory=EXTRACTION_DIRECTORY,
        modality="CT", job_submitted_at=SUBMITTED_AT, is_identifiable_extraction=False,
        is_no_filter_extraction=False, is_pooled_extraction=False,
        key_tag="SeriesInstanceUID", key_value_count=keys, user_name="bench")


def _collection(job_id: str, key: int, first: int, last: int, arrival: int,
                expected: ExpectedRows) -> dict:
    rejections: tuple[Rejection, ...] = ()
    if key % 10 == 0:
        turn = key // 10
        reasons = REJECTION_REASONS[turn % 2: turn % 2 + 2 + turn % 3 // 2]
        rejections = tuple(Rejection(reason, 1 + (turn + n) % 5)
                           for n, reason in enumerate(reasons))
        expected.rows["rejected_files.csv"] += len(rejections)
    dispatched = tuple(DispatchedFile(_guid(job_id, 1, index), _output_path(index))
                       for index in range(first, last))
    message = FileCollectionInfo(job_id, f"1.2.826.0.1.3680043.2.{key}", dispatched, rejections)
    return documents.collection_document(message, _header(job_id, 2, key), arrival)


def _outcome(job_id: str, index: int, arrival: int, lenient_share: float,
             expected: ExpectedRows) -> dict:
    source, output = f"2019/s{index // FILES_PER_KEY}/{index:07d}.dcm", _output_path(index)
    message: FileStatus | FileVerification
    if index % 50 == 7:
        queue = "NoVerifyStatusOptions"
        message = FileStatus(job_id, source, "ErrorWontRetry", None, ANONYMISER_ERROR)
        expected.rows["processing_errors.csv"] += 1
    elif index % 10 == 3:
        queue = "VerificationStatusOptions"
        message = FileVerification(job_id, source, "IsIdentifiable",
                                   failure_report(index, output, lenient_share), output)
        expected.rows["verification_failures.csv"] += failure_count(index)
    else:
        queue = "VerificationStatusOptions"
        message = FileVerification(job_id, source, "NotIdentifiable", "[]", output)
    header = _header(job_id, 3, index)
    return documents.outcome_document(message, header, queue, arrival)


def _header(job_id: str, kind: int, index: int = 0) -> dict:
    header = MessageHeader(_guid(job_id, kind, index), 3300 + kind, "bench", PUBLISHED_AT, ())
    return documents.header_document(header, job_id, _millis(SUBMITTED_AT))


def _guid(job_id: str, kind: int, index: int) -> str:
    """A GUID unique per job, kind of message and index."""
    base = uuid.UUID(job_id).int & ~((1 << 40) - 1)
    return str(uuid.UUID(int=base | kind << 32 | index, version=4))


def _output_path(index: int) -> str:
    return f"S{index // FILES_PER_KEY}/img-{index:07d}-an.dcm"


def _millis(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None, microsecond=0)


def _build_reports(store: ExtractionStore, job_id: str,
                   extract_root: Path) -> tuple[float, dict[str, int], float]:
    """Build all four reports as the report job does; returns (seconds, rows, peak RSS MB)."""
    folder = reports_folder(extract_root, EXTRACTION_DIRECTORY)
    rows: dict[str, int] = {}
    with PeakRss() as rss:
        before_mb = rss.peak_mb
        with Stopwatch() as total:
            run = ReportRun.prepare(job_id, folder, "bench", list(REPORT_FILES), "\n")
            for name in REPORT_FILES:
                with Stopwatch() as one:
                    rows[name] = stage_report(store, run, name)
                print(f"  {name}: {rows[name]:,} rows in {one.seconds:.1f} s", flush=True)
            if not publish_if_complete(run):
                raise RuntimeError(f"the reports of job {job_id} were staged but not published")
    sizes = ", ".join(f"{p.name} {p.stat().st_size / 2**20:.1f} MB" for p in folder.iterdir())
    print(f"reports built in {total.seconds:.1f} s ({sizes}); RSS {before_mb:.0f} MB before, "
          f"peak {rss.peak_mb:.0f} MB", flush=True)
    return total.seconds, rows, rss.peak_mb


def _scan(store: ExtractionStore, job_id: str) -> float:
    """Seconds to read every outcome and file-collection document of the job with pymongo."""
    touched = 0
    with Stopwatch() as watch:
        for collection in (store.outcomes, store.collections):
            for document in collection.find({"jobId": job_id}):
                touched += len(document)
    print(f"bare scan read {touched:,} fields in {watch.seconds:.1f} s", flush=True)
    return watch.seconds


if __name__ == "__main__":
    sys.exit(main())
