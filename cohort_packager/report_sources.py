"""Stream a job's stored documents to the report builders as pandas chunks, in arrival order.

Each report reads only the outcomes it can list (an indexed filter on `reportAs`), so building
the reports of a million-file job reads a fraction of its documents.
"""

from __future__ import annotations

from typing import Callable, Iterable, Iterator

import pandas as pd

from cohort_packager.store.documents import PROCESSING_ERROR, VERIFICATION_FAILURE
from cohort_packager.store.extraction_store import ExtractionStore

CHUNK_ROWS = 5000
OUTCOME_COLUMNS = ["_id", "dicomFilePath", "outputFileName", "extractedFileStatus",
                   "verifiedFileStatus", "statusMessage"]
COLLECTION_COLUMNS = ["key", "rejectionInfo"]

PROCESSING_ERROR_FILTER = {"reportAs": PROCESSING_ERROR}
VERIFICATION_FAILURE_FILTER = {"reportAs": VERIFICATION_FAILURE}

ChunkSource = Callable[[], Iterable[pd.DataFrame]]


def collection_chunks(store: ExtractionStore, job_id: str) -> ChunkSource:
    """File-collection documents that carry rejections, as `key`/`rejectionInfo` frames."""
    def chunks() -> Iterator[pd.DataFrame]:
        query = {"rejectedKeys.rejectionInfo.0": {"$exists": True}}
        cursor = store.collections.find({"jobId": job_id, **query},
                                        {"key": 1, "rejectedKeys.rejectionInfo": 1})
        rows = ({"key": d["key"], "rejectionInfo": d["rejectedKeys"]["rejectionInfo"]}
                for d in cursor.sort("arrival", 1).batch_size(CHUNK_ROWS))
        return _frames(rows, COLLECTION_COLUMNS)
    return chunks


def outcome_chunks(store: ExtractionStore, job_id: str, extra_filter: dict) -> ChunkSource:
    """Outcome documents of the job matching `extra_filter`, in arrival order."""
    projection = {name: 1 for name in OUTCOME_COLUMNS}

    def chunks() -> Iterator[pd.DataFrame]:
        cursor = store.outcome_documents(job_id, extra_filter, projection, CHUNK_ROWS)
        return _frames(cursor, OUTCOME_COLUMNS)
    return chunks


def missing_on_disk(store: ExtractionStore, job: dict) -> list[dict]:
    """The outcomes recorded at completion as produced but absent from disk, in arrival order."""
    ids = job.get("missingOnDisk") or []
    if not ids:
        return []
    found = store.find_by_ids("fileOutcomes", ids, {"dicomFilePath": 1, "arrival": 1})
    return sorted(found.values(), key=lambda d: d["arrival"])


def _frames(rows: Iterable[dict], columns: list[str]) -> Iterator[pd.DataFrame]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= CHUNK_ROWS:
            yield pd.DataFrame.from_records(batch, columns=columns)
            batch = []
    if batch:
        yield pd.DataFrame.from_records(batch, columns=columns)
