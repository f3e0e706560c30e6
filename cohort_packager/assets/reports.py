"""The validation reports of an extraction as a graph-backed multi-asset, one op per report.

`load_extraction` loads the job and records its completion time (once; the stored time is
reused by every later run). Each report op then writes its file into a staging folder of the run;
the op that completes the run's set publishes the folder atomically, so no half-written reports
folder is ever visible.
"""

from __future__ import annotations

from datetime import datetime, timezone

from dagster import (
    AssetKey,
    AssetOut,
    Failure,
    In,
    MetadataValue,
    Out,
    Output,
    graph_multi_asset,
    op,
)

from cohort_packager.assets.partitions import extractions
from cohort_packager.assets.staging import ReportRun, publish_if_complete, stage_report
from cohort_packager.completion import evaluate_job
from cohort_packager.reports import REPORT_FILES, ReportLocationError, reports_folder
from cohort_packager.resources.extraction_store import ExtractionStoreResource

REPORT_ASSETS = {
    "readme": "README.md",
    "rejected_files": "rejected_files.csv",
    "processing_errors": "processing_errors.csv",
    "verification_failures": "verification_failures.csv",
}
ASSET_PREFIX = "extraction_reports"


def asset_key(name: str) -> AssetKey:
    return AssetKey([ASSET_PREFIX, name])


@op(out=Out(ReportRun, io_manager_key="io_manager"))
def load_extraction(context, extraction_store: ExtractionStoreResource) -> ReportRun:
    """Loads the job of this partition, records its completion once and prepares staging."""
    job_id = context.partition_key
    settings = extraction_store.settings()
    with extraction_store.open(settings) as store:
        job = store.job(job_id)
        if job is None:
            raise Failure(f"the extraction store has no job {job_id}: no request info was "
                          "stored for it, so there is nothing to report")
        if "completedAt" not in job and "readyAt" not in job:
            _require_complete(store, job, settings)
        completed_at = store.record_completion(job_id, _now())

    if not context.instance.has_dynamic_partition(extractions.name, job_id):
        context.instance.add_dynamic_partitions(extractions.name, [job_id])

    try:
        folder = reports_folder(settings.extract_root, job["extractionDirectory"])
    except ReportLocationError as error:
        raise Failure(f"job {job_id}: {error}") from None
    planned = _planned_files(context, bool(job.get("isIdentifiableExtraction")))
    run = ReportRun.prepare(job_id, folder, context.run_id, planned,
                            settings.packager.report_newline)
    context.log.info(f"Job {job_id} completed at {completed_at:%Y-%m-%dT%H:%M:%S}; "
                     f"writing {', '.join(planned)}")
    return run


def _require_complete(store, job: dict, settings) -> None:
    options = settings.packager
    now = _now()
    progress = evaluate_job(store, job, settings.extract_root, options.output_file_grace_seconds,
                            options.stalled_job_seconds, now, None)
    if not progress.complete:
        raise Failure(f"job {job['_id']} is not complete yet: waiting on {progress.waiting_on}")
    store.set_job_fields(job["_id"], {"readyAt": now, "missingOnDisk": progress.missing_on_disk})


def _planned_files(context, identifiable: bool) -> list[str]:
    selection = context.dagster_run.asset_selection
    names = [file for name, file in REPORT_ASSETS.items()
             if not selection or asset_key(name) in selection]
    if identifiable:
        names = [n for n in names if n != "verification_failures.csv"]
    return [n for n in REPORT_FILES if n in names]


def _report_op(asset_name: str, file_name: str, optional: bool = False):
    @op(
        name=f"write_{asset_name}",
        ins={"run": In(ReportRun)},
        out=Out(str, is_required=not optional, io_manager_key="report_file_io_manager"),
    )
    def write_report(context, run: ReportRun, extraction_store: ExtractionStoreResource):
        if file_name not in run.planned:
            context.log.info(f"{file_name} is not written for job {run.job_id}")
            return
        with extraction_store.open() as store:
            rows = stage_report(store, run, file_name)
        published = publish_if_complete(run)
        path = run.folder / file_name
        metadata = {"job_id": run.job_id, "rows": rows, "path": MetadataValue.path(str(path)),
                    "published": published}
        if file_name == "README.md":
            metadata["preview"] = MetadataValue.md(_readme_preview(run))
        yield Output(str(path), metadata=metadata)

    return write_report


def _readme_preview(run: ReportRun) -> str:
    text = (run.staging / "README.md").read_text(encoding="utf-8") if (
        run.staging / "README.md").exists() else (run.folder / "README.md").read_text("utf-8")
    return "\n".join(line for line in text.splitlines()
                     if "User name" not in line)


write_readme = _report_op("readme", "README.md")
write_rejected_files = _report_op("rejected_files", "rejected_files.csv")
write_processing_errors = _report_op("processing_errors", "processing_errors.csv")
write_verification_failures = _report_op("verification_failures", "verification_failures.csv",
                                         optional=True)


@graph_multi_asset(
    outs={
        "readme": AssetOut(key=asset_key("readme"), io_manager_key="report_file_io_manager",
                           description="README.md: the job's details for the reviewer."),
        "rejected_files": AssetOut(
            key=asset_key("rejected_files"), io_manager_key="report_file_io_manager",
            description="rejected_files.csv: files withheld per key, with the reasons."),
        "processing_errors": AssetOut(
            key=asset_key("processing_errors"), io_manager_key="report_file_io_manager",
            description="processing_errors.csv: missing source files, anonymisation and "
                        "verifier failures, produced files absent from disk."),
        "verification_failures": AssetOut(
            key=asset_key("verification_failures"), io_manager_key="report_file_io_manager",
            is_required=False,
            description="verification_failures.csv: IsIdentifiable's findings in the failure "
                        "store format. Not produced for identifiable extractions."),
    },
    partitions_def=extractions,
    can_subset=True,
    group_name="extraction_reports",
)
def extraction_reports():
    run = load_extraction()
    return {
        "readme": write_readme(run),
        "rejected_files": write_rejected_files(run),
        "processing_errors": write_processing_errors(run),
        "verification_failures": write_verification_failures(run),
    }


def _now() -> datetime:
    moment = datetime.now(timezone.utc).replace(tzinfo=None)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)

