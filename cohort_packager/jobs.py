"""The report job: builds an extraction's reports, run by the completion sensor per job GUID."""

from dagster import AssetSelection, define_asset_job, in_process_executor

from cohort_packager.assets.reports import extraction_reports

REPORT_JOB_NAME = "build_extraction_reports"

build_extraction_reports = define_asset_job(
    name=REPORT_JOB_NAME,
    selection=AssetSelection.assets(extraction_reports),
    executor_def=in_process_executor,
    description="Writes README.md, rejected_files.csv, processing_errors.csv and "
                "verification_failures.csv for one extraction (the partition is its job GUID).",
)
