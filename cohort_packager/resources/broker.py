"""RabbitMQ as a Dagster resource: drains the four input queues into the extraction store."""

from __future__ import annotations

from dataclasses import replace
from typing import Optional

from dagster import ConfigurableResource
from pydantic import Field

from cohort_packager.config import Settings
from cohort_packager.ingest.batch import ArrivalClock
from cohort_packager.ingest.consumer import TickReport, drain_queues
from cohort_packager.store.extraction_store import ExtractionStore

_clock = ArrivalClock()


class BrokerResource(ConfigurableResource):
    """Connects to the broker named by the cohort-packager configuration.

    Example::

        Definitions(resources={"broker": BrokerResource(
            rabbitmq_password=EnvVar("COHORT_PACKAGER_RABBITMQ_PASSWORD"))})
    """

    rabbitmq_password: Optional[str] = Field(
        default=None,
        description="RabbitMQ password; give it as an EnvVar so the UI shows only its name.",
    )

    def drain(self, settings: Settings, store: ExtractionStore) -> TickReport:
        """One ingest tick within the configured budget; raises IngestFault on failures."""
        rabbit = settings.rabbit
        if self.rabbitmq_password:
            rabbit = replace(rabbit, password=self.rabbitmq_password)
        return drain_queues(rabbit, settings.packager, store, _clock)
