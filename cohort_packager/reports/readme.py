"""README.md of a job's reports: the job's facts, aligned as the SMI CohortPackager writes them."""

import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone

from cohort_packager.reports.csv_format import check_newline
from cohort_packager.reports.location import split_extraction_directory

# Every value starts at this column, whatever the label's length.
_VALUE_COLUMN = 34

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]#|~])")
_LINE_BREAKS = re.compile(r"\r\n|\r|\n")
_HTML_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}

_TICKS_PER_SECOND = 10_000_000


def escape_markdown(value: str) -> str:
    """Text that renders as itself: no Markdown markup, no HTML, no line breaks."""
    value = _LINE_BREAKS.sub(" ", value)
    value = _MARKDOWN_SPECIALS.sub(r"\\\1", value)
    return "".join(_HTML_ENTITIES.get(char, char) for char in value)


def format_timespan(duration: timedelta) -> str:
    """.NET TimeSpan "c" text: [-][d.]hh:mm:ss[.fffffff]."""
    ticks = (duration // timedelta(microseconds=1)) * 10
    sign = "-" if ticks < 0 else ""
    seconds, fraction = divmod(abs(ticks), _TICKS_PER_SECOND)
    minutes, second = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    days, hour = divmod(hours, 24)

    text = f"{sign}{days}." if days else sign
    text += f"{hour:02d}:{minute:02d}:{second:02d}"
    if fraction:
        text += f".{fraction:07d}"
    return text


def render_readme(job: Mapping, newline: str) -> str:
    """The README text for a stored job document; every line ends with `newline`.

    Raises ValueError when the newline is not LF or CRLF or a job field is missing.
    """
    check_newline(newline)
    submitted = _utc_millis(job, "jobSubmittedAt")
    completed = _utc_millis(job, "completedAt")
    _, extraction_name = split_extraction_directory(_field(job, "extractionDirectory"))
    modality = job.get("extractionModality")
    modality_text = "Unspecified" if modality is None else escape_markdown(str(modality))

    title = "# SMI extraction validation report for {} {}".format(
        escape_markdown(str(_field(job, "projectNumber"))), escape_markdown(extraction_name)
    )
    facts = [
        ("Job submitted at", _timestamp(submitted)),
        ("Job completed at", _timestamp(completed)),
        ("Job duration", format_timespan(completed - submitted)),
        ("Job extraction id", escape_markdown(str(_field(job, "_id")).lower())),
        ("Extraction tag", escape_markdown(str(_field(job, "keyTag")))),
        ("Extraction modality", modality_text),
        ("Requested identifier count", str(int(_field(job, "keyCount")))),
        ("User name", escape_markdown(str(_field(job, "userName")))),
        # Job documents written before these flags existed read them as false.
        ("Identifiable extraction", _yes_no(job.get("isIdentifiableExtraction", False))),
        ("Filtered extraction", _yes_no(not job.get("IsNoFilterExtraction", False))),
    ]
    lines = [title, "", "Job info:"]
    lines += [f"-   {label}:".ljust(_VALUE_COLUMN) + value for label, value in facts]
    return "".join(line + newline for line in lines)


def _field(job: Mapping, name: str) -> object:
    if name not in job:
        raise ValueError(f"job document {job.get('_id')}: field {name!r} is missing")
    return job[name]


def _utc_millis(job: Mapping, name: str) -> datetime:
    """A stored time as naive UTC, cut to the millisecond precision MongoDB keeps."""
    value = _field(job, name)
    if not isinstance(value, datetime):
        raise ValueError(
            f"job document {job.get('_id')}: field {name!r} must be a datetime, "
            f"got {type(value).__name__}"
        )
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def _timestamp(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


def _yes_no(flag: object) -> str:
    return "Yes" if flag else "No"
