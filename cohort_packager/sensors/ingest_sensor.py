"""The ingest sensor: each tick drains the four input queues into the extraction store."""

from __future__ import annotations

from dagster import DefaultSensorStatus, SensorEvaluationContext, SkipReason, sensor

from cohort_packager.resources.broker import BrokerResource
from cohort_packager.resources.extraction_store import ExtractionStoreResource

INGEST_INTERVAL_SECONDS = 5


@sensor(
    name="ingest_extraction_messages",
    minimum_interval_seconds=INGEST_INTERVAL_SECONDS,
    default_status=DefaultSensorStatus.RUNNING,
    description="Stores the messages waiting on the four extraction queues in MongoDB, "
                "acknowledging each only once it is durably stored.",
)
def ingest_extraction_messages(context: SensorEvaluationContext,
                               extraction_store: ExtractionStoreResource,
                               broker: BrokerResource):
    """Fires every few seconds and takes up to the configured budget of messages."""
    settings = extraction_store.settings()
    with extraction_store.open(settings) as store:
        report = broker.drain(settings, store)
    context.log.info(report.summary())
    return SkipReason(report.summary())
