"""ExtractionRequestInfo: the job's description, and the rules that keep its reports in place."""
from datetime import datetime, timezone

import pytest

from cohort_packager.messages import ExtractionRequestInfo

from . import JOB_ID, REMOVE, body_of, parse, rejection_reason


def reason_with(**changes) -> str:
    return rejection_reason("request", body_of("request", **changes))


def test_a_request_keeps_every_field():
    assert parse("request", body_of("request", IsNoFilterExtraction=True)) == (
        ExtractionRequestInfo(
            job_id=JOB_ID,
            project_number="PRJ042",
            extraction_directory="PRJ042/extractions/ct-head-2024",
            modality="CT",
            job_submitted_at=datetime(2024, 3, 1, 9, 30, 0, 123000, tzinfo=timezone.utc),
            is_identifiable_extraction=False,
            is_no_filter_extraction=True,
            is_pooled_extraction=False,
            key_tag="SeriesInstanceUID",
            key_value_count=2,
            user_name="jdoe",
        )
    )


def test_lenient_values_are_coerced():
    message = parse("request", body_of(
        "request", KeyValueCount="3", IsIdentifiableExtraction="true",
        JobSubmittedAt="2024-03-01T10:30:00+01:00",
    ))
    assert message.key_value_count == 3
    assert message.is_identifiable_extraction is True
    assert message.job_submitted_at == datetime(2024, 3, 1, 9, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize("name", ["KeyTag", "KeyValueCount", "UserName"])
def test_the_request_fields_are_required(name):
    assert reason_with(**{name: REMOVE}) == f"{name} is required"
    assert reason_with(**{name: None}) == f"{name} must not be null"


@pytest.mark.parametrize("name", ["ProjectNumber", "KeyTag", "UserName", "Modality"])
@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
def test_text_fields_must_not_be_blank(name, blank):
    assert reason_with(**{name: blank}) == f"{name} must not be blank"


def test_the_zero_submission_date_is_rejected():
    assert "JobSubmittedAt" in reason_with(JobSubmittedAt="0001-01-01T00:00:00")


@pytest.mark.parametrize("count", [0, -1])
def test_key_value_count_must_be_at_least_one(count):
    assert reason_with(KeyValueCount=count) == f"KeyValueCount must be at least 1, got {count}"


def test_key_value_count_must_be_a_32_bit_integer():
    assert "KeyValueCount must be a 32-bit integer" in reason_with(KeyValueCount=2**31)


@pytest.mark.parametrize("directory, problem", [
    ("", "blank"),
    ("/data/PRJ042/extractions/x", "absolute"),
    ("\\PRJ042\\extractions\\x", "absolute"),
    ("C:PRJ042/extractions/x", "absolute"),
    ("c:\\PRJ042\\extractions\\x", "absolute"),
    ("PRJ042/../../etc/x", "'..'"),
    ("PRJ042\\..\\x", "'..'"),
    ("PRJ042/./x", "'.'"),
    ("PRJ042/extractions/..", "'..'"),
    ("ct-head-2024", "project folder"),
    ("PRJ042/extractions/", "extraction name"),
    ("PRJ042//x", "empty segment"),
    ("PRJ042/extrac\x00tions/x", "control"),
    ("PRJ042/extractions/x\n", "control"),
    ("PRJ042/extractions/x\x85", "control"),
])
def test_extraction_directory_must_stay_inside_the_root_and_name_an_extraction(
    directory, problem
):
    reason = reason_with(ExtractionDirectory=directory)
    assert reason.startswith("ExtractionDirectory") and problem in reason
    assert directory.strip() == "" or directory not in reason


@pytest.mark.parametrize("directory", [
    "PRJ042/extractions/ct-head-2024", "PRJ042\\extractions\\ct", "p/x", "p/..x/x.y",
])
def test_relative_extraction_directories_with_a_project_folder_are_accepted(directory):
    assert parse("request", body_of("request", ExtractionDirectory=directory)) \
        .extraction_directory == directory
