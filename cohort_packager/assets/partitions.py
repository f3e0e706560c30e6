"""The dynamic partitions of the report assets: one partition per extraction job GUID."""

from __future__ import annotations

import logging
import os

from dagster import DagsterInstance, DynamicPartitionsDefinition
from pymongo.errors import PyMongoError

from cohort_packager.config import ConfigError, load_settings
from cohort_packager.store.connection import open_database
from cohort_packager.store.embedded import EmbeddedServerError
from cohort_packager.store.extraction_store import ExtractionStore

log = logging.getLogger(__name__)

extractions = DynamicPartitionsDefinition(name="extractions")


def register_stored_extractions() -> int:
    """Add a partition for every job in the store to the instance of `$DAGSTER_HOME`.

    Lets `dagster asset materialize --partition <GUID>` and the UI rebuild the reports of any
    stored job on a fresh Dagster instance. Never fails the code location: problems are logged.
    Returns how many partitions were added.
    """
    if not os.environ.get("DAGSTER_HOME"):
        return 0
    try:
        settings = load_settings()
        client, database = open_database(settings.mongo)
        with client:
            job_ids = [d["_id"] for d in ExtractionStore(database).jobs.find({}, {"_id": 1})]
        instance = DagsterInstance.get()
        known = set(instance.get_dynamic_partitions(extractions.name))
        missing = [job_id for job_id in job_ids if job_id not in known]
        if missing:
            instance.add_dynamic_partitions(extractions.name, missing)
        return len(missing)
    except (ConfigError, PyMongoError, EmbeddedServerError, OSError) as error:
        log.warning("Could not register stored extractions as partitions: %s", error)
        return 0
