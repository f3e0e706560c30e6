"""FileStatus: outcomes on the no-verify queue (anonymisation failures, missing files, copies)."""
import pytest

from cohort_packager.messages import FileStatus

from . import JOB_ID, REMOVE, body_of, parse, rejection_reason


def reason_with(**changes) -> str:
    return rejection_reason("status", body_of("status", **changes))


def test_a_failure_status_keeps_its_fields():
    assert parse("status", body_of("status")) == FileStatus(
        job_id=JOB_ID,
        dicom_file_path="2019/01/b.dcm",
        status="ErrorWontRetry",
        output_file_path=None,
        status_message="Anonymiser exited with code 1",
    )


@pytest.mark.parametrize("status, name", [
    (2, "ErrorWontRetry"), ("FileMissing", "FileMissing"), ("copied", "Copied"), ("4", "Copied"),
    (9, "9"),
])
def test_status_is_taken_by_number_or_name_and_kept_as_its_name(status, name):
    assert parse("status", body_of("status", Status=status)).status == name


@pytest.mark.parametrize("status", [0, 1, "None", "anonymised"])
def test_none_and_anonymised_must_not_arrive_on_the_no_verify_queue(status):
    reason = reason_with(Status=status)
    assert reason.startswith("Status") and "no-verify queue" in reason


def test_status_must_be_a_known_name_or_a_number():
    assert reason_with(Status="Exploded").startswith("Status")


@pytest.mark.parametrize("name", ["StatusMessage", "OutputFilePath"])
def test_status_message_and_output_path_must_be_present_even_if_null(name):
    assert reason_with(**{name: REMOVE}).startswith(f"{name} is required")


def test_a_copy_may_have_no_status_message():
    message = parse("status", body_of(
        "status", Status="Copied", StatusMessage=None, OutputFilePath="ST1/out1.dcm"
    ))
    assert (message.status_message, message.output_file_path) == (None, "ST1/out1.dcm")


@pytest.mark.parametrize("status", [2, 3, 17])
@pytest.mark.parametrize("text", [None, "", "  "])
def test_any_other_status_needs_a_status_message(status, text):
    assert reason_with(Status=status, StatusMessage=text).startswith("StatusMessage")


def test_dicom_file_path_must_not_be_blank():
    assert reason_with(DicomFilePath=" ") == "DicomFilePath must not be blank"
    assert reason_with(DicomFilePath=None) == "DicomFilePath must not be null"


def test_output_path_must_be_text_or_null():
    assert reason_with(OutputFilePath=3).startswith("OutputFilePath must be a string")
