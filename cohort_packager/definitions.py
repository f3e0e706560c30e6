"""The Dagster definitions of cohort-packager: the single entry point for the UI and the CLI."""

import os

from dagster import Definitions, EnvVar, in_process_executor

from cohort_packager.assets.partitions import register_stored_extractions
from cohort_packager.assets.reports import extraction_reports
from cohort_packager.config import (
    MONGO_PASSWORD_ENV_VAR,
    RABBIT_PASSWORD_ENV_VAR,
    config_path,
    load_settings,
)
from cohort_packager.jobs import build_extraction_reports
from cohort_packager.resources.broker import BrokerResource
from cohort_packager.resources.extraction_store import ExtractionStoreResource
from cohort_packager.resources.report_files import ReportFileIOManager
from cohort_packager.sensors.completion_sensor import build_completion_sensor
from cohort_packager.sensors.ingest_sensor import ingest_extraction_messages


def _secret(name: str):
    """An EnvVar when the variable is set, so the UI shows its name and never the value."""
    return EnvVar(name) if os.environ.get(name) else None


def build_definitions() -> Definitions:
    """Definitions for the configuration named by COHORT_PACKAGER_CONFIG (or the default)."""
    settings = load_settings()
    return Definitions(
        assets=[extraction_reports],
        jobs=[build_extraction_reports],
        sensors=[
            ingest_extraction_messages,
            build_completion_sensor(build_extraction_reports,
                                    settings.packager.job_watcher_interval_seconds),
        ],
        resources={
            "extraction_store": ExtractionStoreResource(
                config_path=str(config_path()), mongo_password=_secret(MONGO_PASSWORD_ENV_VAR)),
            "broker": BrokerResource(rabbitmq_password=_secret(RABBIT_PASSWORD_ENV_VAR)),
            "report_file_io_manager": ReportFileIOManager(),
        },
        executor=in_process_executor,
    )


register_stored_extractions()
defs = build_definitions()
