"""The extraction store as a Dagster resource: settings from the YAML file, a pymongo client."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import replace
from typing import Iterator, Optional

from dagster import ConfigurableResource
from pydantic import Field

from cohort_packager.config import Settings, load_settings
from cohort_packager.store.connection import open_database
from cohort_packager.store.extraction_store import ExtractionStore

_indexed: set[tuple[str, str]] = set()


class ExtractionStoreResource(ConfigurableResource):
    """Opens the MongoDB extraction store named by the cohort-packager configuration file.

    Example::

        Definitions(resources={"extraction_store": ExtractionStoreResource(
            config_path="/etc/cohort-packager.yaml",
            mongo_password=EnvVar("MONGO_SERVICE_PASSWORD"))})
    """

    config_path: str = Field(description="Path of the cohort-packager YAML configuration.")
    mongo_password: Optional[str] = Field(
        default=None,
        description="MongoDB password; give it as an EnvVar so the UI shows only its name.",
    )

    def settings(self) -> Settings:
        settings = load_settings(self.config_path)
        if self.mongo_password:
            mongo = replace(settings.mongo, password=self.mongo_password)
            settings = replace(settings, mongo=mongo)
        return settings

    @contextmanager
    def open(self, settings: Settings | None = None) -> Iterator[ExtractionStore]:
        """Yield the store, with its indexes created once per process; always closes."""
        settings = settings or self.settings()
        client, database = open_database(settings.mongo)
        try:
            store = ExtractionStore(database)
            marker = (str(client.address), database.name)
            if marker not in _indexed:
                store.create_indexes()
                _indexed.add(marker)
            yield store
        finally:
            client.close()
