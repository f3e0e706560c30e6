"""Drive the service's Dagster code paths in-process, tick by tick, as the daemon would."""

from __future__ import annotations

from dagster import DagsterInstance, SensorResult, build_sensor_context

from cohort_packager.definitions import build_definitions
from cohort_packager.jobs import REPORT_JOB_NAME


class ServiceDriver:
    """Evaluates the two sensors and launches the requested report runs in this process."""

    def __init__(self, instance: DagsterInstance):
        self.instance = instance
        self.defs = build_definitions()
        self.resources = self.defs.resources
        self.ingest = self.defs.get_sensor_def("ingest_extraction_messages")
        self.completion = self.defs.get_sensor_def("detect_complete_extractions")
        self.report_job = self.defs.resolve_job_def(REPORT_JOB_NAME)

    def ingest_tick(self):
        with build_sensor_context(instance=self.instance, resources=self.resources) as context:
            return self.ingest(context)

    def completion_tick(self) -> list[str]:
        """Evaluate the completion sensor; add its partitions and run what it requests."""
        with build_sensor_context(instance=self.instance, resources=self.resources,
                                  definitions=self.defs) as context:
            result = self.completion(context)
        if not isinstance(result, SensorResult):
            return []
        for request in result.dynamic_partitions_requests or []:
            self.instance.add_dynamic_partitions(request.partitions_def_name,
                                                 list(request.partition_keys))
        launched = []
        for run_request in result.run_requests or []:
            self.run_reports(run_request.partition_key)
            launched.append(run_request.partition_key)
        return launched

    def run_reports(self, job_id: str, asset_selection=None, raise_on_error: bool = True):
        return self.report_job.execute_in_process(
            instance=self.instance, partition_key=job_id, asset_selection=asset_selection,
            raise_on_error=raise_on_error,
        )
