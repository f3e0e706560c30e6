"""Report layer: the validation reports of a completed extraction job, byte-compatible with
the SMI CohortPackager. Pure: no Dagster, no database; it reads documents and writes files."""

from cohort_packager.reports.atomic import remove_leftover, write_folder_atomically
from cohort_packager.reports.builder import REPORT_FILES, ReportSet, build_reports
from cohort_packager.reports.location import ReportLocationError, reports_folder
from cohort_packager.reports.processing_errors import write_processing_errors
from cohort_packager.reports.readme import render_readme
from cohort_packager.reports.rejected_files import write_rejected_files
from cohort_packager.reports.verification_failures import write_verification_failures

__all__ = [
    "REPORT_FILES",
    "ReportLocationError",
    "ReportSet",
    "build_reports",
    "render_readme",
    "remove_leftover",
    "reports_folder",
    "write_folder_atomically",
    "write_processing_errors",
    "write_rejected_files",
    "write_verification_failures",
]
