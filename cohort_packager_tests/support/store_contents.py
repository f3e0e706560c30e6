"""What a test's extraction store holds, counted per collection."""

from __future__ import annotations

from cohort_packager.store.extraction_store import ExtractionStore


def document_counts(store: ExtractionStore) -> dict[str, int]:
    return {
        "jobs": store.jobs.count_documents({}),
        "fileCollections": store.collections.count_documents({}),
        "fileOutcomes": store.outcomes.count_documents({}),
        "rejectedMessages": store.rejected.count_documents({}),
    }
