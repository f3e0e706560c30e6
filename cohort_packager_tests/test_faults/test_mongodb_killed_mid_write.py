"""MongoDB killed (SIGKILL) while an ingest tick has inserted half of a batch's outcomes: the tick
ends with an IngestFault and acknowledges nothing more; once the server is back on the same
data, the half-inserted outcomes come back as repeats, the rest is stored once, reports match.

The test runs its own embedded server, even when COHORT_PACKAGER_MONGO_URI names another one,
because it kills it.
"""

from __future__ import annotations

from collections import Counter

import pytest

from cohort_packager_tests.test_faults import (
    assert_stored_once_and_reported,
    drain,
    per_queue,
    settled_depths,
    stored_per_queue,
)
from cohort_packager_tests.test_faults.dedicated_mongo import DedicatedMongo
from cohort_packager_tests.test_faults.ingest_child import FAULT_EXIT


@pytest.fixture
def dedicated_mongo(environment, tmp_path):
    """A MongoDB server this test may kill; it is stopped at the end whatever happened."""
    mongo = DedicatedMongo(environment, tmp_path / "dedicated-mongo")
    yield mongo
    mongo.stop()


def test_mongodb_killed_part_way_through_a_batch_loses_and_doubles_nothing(
        environment, published_backlog, children, dedicated_mongo):
    messages = published_backlog.messages
    dedicated_mongo.start()
    child = children.start("ingest_child", environment.config_path, "mid-outcome-insert")
    paused = child.wait_for_pause()
    acknowledged = Counter(paused["acknowledged"])
    inserted_before_kill = Counter(paused["inserted_before_pause"])

    dedicated_mongo.kill()
    child.resume_from_pause()

    assert child.wait_for_exit() == FAULT_EXIT, child.log()
    assert "MongoDB failed during the tick" in child.log()
    assert inserted_before_kill.total() > 0
    unacknowledged = per_queue(messages) - acknowledged
    assert Counter(settled_depths(environment, unacknowledged.total())) == unacknowledged

    store = dedicated_mongo.start()

    assert stored_per_queue(store) == acknowledged + inserted_before_kill
    report = drain(environment, store)
    assert report.duplicates == inserted_before_kill
    assert report.stored == unacknowledged - inserted_before_kill
    assert report.rejected == {}
    assert_stored_once_and_reported(environment, published_backlog, store)
