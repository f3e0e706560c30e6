"""The extraction store: jobs, file collections, file outcomes and rejected messages in MongoDB.

Every write is an unordered bulk insert keyed by a natural key, so repeating it after a crash
stores nothing twice; a duplicate-key error (11000) means "already stored". Writes are journaled
(the client is opened with `journal=True`), because their success leads to a broker
acknowledgement. No step relies on multi-document transactions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Iterator, Sequence

from pymongo import ASCENDING, UpdateOne
from pymongo.database import Database
from pymongo.errors import BulkWriteError
from pymongo.write_concern import WriteConcern

DUPLICATE_KEY = 11000

JOBS = "jobs"
COLLECTIONS = "fileCollections"
OUTCOMES = "fileOutcomes"
PROGRESS = "jobProgress"
REJECTED = "rejectedMessages"


@dataclass
class InsertResult:
    """Which documents of a bulk insert were new and which were already stored (by `_id`)."""

    inserted: list[dict] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)


class ExtractionStore:
    """Typed access to the store's collections; the only module that knows their names."""

    def __init__(self, database: Database):
        self.database = database
        self.jobs = database[JOBS]
        self.collections = database[COLLECTIONS]
        self.outcomes = database[OUTCOMES]
        self.progress = database[PROGRESS]
        self.rejected = database[REJECTED]

    def create_indexes(self) -> None:
        """Create the indexes the queries need; idempotent, run at start-up."""
        self.collections.create_index([("jobId", ASCENDING), ("arrival", ASCENDING)])
        # One secondary index on outcomes: each one costs about as much as the insert itself.
        self.outcomes.create_index(
            [("jobId", ASCENDING), ("reportAs", ASCENDING), ("arrival", ASCENDING)]
        )
        self.jobs.create_index([("completedAt", ASCENDING)])
        self.rejected.create_index([("rejectedAt", ASCENDING)])
        self.rejected.create_index([("jobId", ASCENDING)])

    # writes

    def insert_jobs(self, documents: Sequence[dict]) -> InsertResult:
        return _insert_unordered(self.jobs, documents)

    def insert_collections(self, documents: Sequence[dict]) -> InsertResult:
        return _insert_unordered(self.collections, documents)

    def insert_outcomes(self, documents: Sequence[dict]) -> InsertResult:
        return _insert_unordered(self.outcomes, documents)

    def insert_rejections(self, documents: Sequence[dict]) -> InsertResult:
        return _insert_unordered(self.rejected, documents)

    def record_activity(self, activity: dict[str, dict[str, int]], at: datetime) -> None:
        """Count newly stored collections and outcomes per job, and note when they arrived.

        The counts are a progress display and a hint for the completion check, which
        reconciles against the stored documents themselves before it completes a job.
        """
        if not activity:
            return
        updates = [
            UpdateOne(
                {"_id": job_id},
                {"$inc": {f"received.{kind}": n for kind, n in counts.items()},
                 "$max": {"lastActivityAt": at}},
                upsert=True,
            )
            for job_id, counts in activity.items()
        ]
        self.progress.bulk_write(updates, ordered=False)

    # reads used by ingest

    def completed_job_ids(self, job_ids: Iterable[str]) -> set[str]:
        ids = list(set(job_ids))
        if not ids:
            return set()
        query = {"_id": {"$in": ids}, "completedAt": {"$exists": True}}
        return {doc["_id"] for doc in self.jobs.find(query, {"_id": 1})}

    def find_by_ids(self, collection_name: str, ids: Iterable[str],
                    projection: dict | None = None) -> dict[str, dict]:
        ids = list(set(ids))
        if not ids:
            return {}
        cursor = self.database[collection_name].find({"_id": {"$in": ids}}, projection)
        return {doc["_id"]: doc for doc in cursor}

    def stored_message_guids(self, job_id: str, guids: Iterable[str]) -> set[str]:
        """Which of `guids` already created a document of job `job_id`."""
        guids = list(set(guids))
        found = {d["_id"] for d in self.outcomes.find({"_id": {"$in": guids}}, {"_id": 1})}
        query = {"jobId": job_id, "header.messageGuid": {"$in": guids}}
        found |= {d["header"]["messageGuid"]
                  for d in self.collections.find(query, {"header.messageGuid": 1})}
        job = self.jobs.find_one({"_id": job_id}, {"header.messageGuid": 1})
        if job and job["header"]["messageGuid"] in guids:
            found.add(job["header"]["messageGuid"])
        return found

    # reads used by completion and reports

    def job(self, job_id: str) -> dict | None:
        return self.jobs.find_one({"_id": job_id})

    def jobs_in_progress(self, limit: int | None = None) -> list[dict]:
        cursor = self.jobs.find({"completedAt": {"$exists": False}}).sort("arrival", ASCENDING)
        return list(cursor.limit(limit) if limit else cursor)

    def progress_of(self, job_ids: Iterable[str]) -> dict[str, dict]:
        return self.find_by_ids(PROGRESS, job_ids)

    def collection_documents(self, job_id: str, projection: dict | None = None,
                             batch_size: int = 1000) -> Iterator[dict]:
        cursor = self.collections.find({"jobId": job_id}, projection, batch_size=batch_size)
        return cursor.sort("arrival", ASCENDING)

    def outcome_documents(self, job_id: str, extra_filter: dict | None = None,
                          projection: dict | None = None,
                          batch_size: int = 5000) -> Iterator[dict]:
        query = {"jobId": job_id, **(extra_filter or {})}
        cursor = self.outcomes.find(query, projection, batch_size=batch_size)
        return cursor.sort("arrival", ASCENDING)

    def set_job_fields(self, job_id: str, fields: dict) -> None:
        self.jobs.update_one({"_id": job_id}, {"$set": fields})

    def record_progress(self, fields_by_job: dict[str, dict]) -> None:
        """Save derived progress fields; not journaled, since a lost write is recomputed."""
        if fields_by_job:
            jobs = self.jobs.with_options(write_concern=WriteConcern(w=1, j=False))
            jobs.bulk_write([UpdateOne({"_id": job_id}, {"$set": fields})
                             for job_id, fields in fields_by_job.items()], ordered=False)

    def record_completion(self, job_id: str, completed_at: datetime) -> datetime:
        """Set the job's completion time once; returns the stored time (the first one wins)."""
        self.jobs.update_one(
            {"_id": job_id, "completedAt": {"$exists": False}},
            {"$set": {"completedAt": completed_at, "jobStatus": "Completed"}},
        )
        return self.jobs.find_one({"_id": job_id}, {"completedAt": 1})["completedAt"]

    def rejected_messages(self, limit: int = 100) -> list[dict]:
        cursor = self.rejected.find({}, {"body": 0}).sort("rejectedAt", -1)
        return list(cursor.limit(limit))


def _insert_unordered(collection, documents: Sequence[dict]) -> InsertResult:
    result = InsertResult()
    if not documents:
        return result
    failed: set[int] = set()
    try:
        collection.insert_many(documents, ordered=False)
    except BulkWriteError as error:
        other = [e for e in error.details["writeErrors"] if e["code"] != DUPLICATE_KEY]
        if other:
            raise
        failed = {e["index"] for e in error.details["writeErrors"]}
    for index, document in enumerate(documents):
        (result.duplicates if index in failed else result.inserted).append(document)
    return result
