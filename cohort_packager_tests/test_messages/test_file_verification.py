"""FileVerification: IsIdentifiable's verdicts, with the Report kept exactly as received."""
import pytest

from cohort_packager.messages import FileVerification

from . import JOB_ID, body_of, parse, rejection_reason


def reason_with(**changes) -> str:
    return rejection_reason("verification", body_of("verification", **changes))


def test_a_verdict_keeps_its_report_text_exactly():
    body = body_of("verification")
    assert parse("verification", body) == FileVerification(
        job_id=JOB_ID,
        dicom_file_path="2021/f1.dcm",
        status="IsIdentifiable",
        report=body["Report"],
        output_file_path="S1/f1-an.dcm",
    )


@pytest.mark.parametrize("status, name", [
    (1, "NotVerified"), (2, "NotIdentifiable"), ("isidentifiable", "IsIdentifiable"),
    ("4", "ErrorWontRetry"), (12, "12"),
])
def test_status_is_taken_by_number_or_name(status, name):
    assert parse("verification", body_of("verification", Status=status)).status == name


def test_a_clean_file_has_an_empty_report():
    message = parse("verification", body_of("verification", Status=2, Report="[]"))
    assert (message.status, message.report) == ("NotIdentifiable", "[]")


@pytest.mark.parametrize("status", [0, "None"])
def test_status_none_is_rejected(status):
    assert reason_with(Status=status).startswith("Status None")


@pytest.mark.parametrize("name", ["OutputFilePath", "DicomFilePath", "Report"])
def test_paths_and_report_must_not_be_blank(name):
    assert reason_with(**{name: "  "}) == f"{name} must not be blank"


def test_an_identifiable_verdict_needs_failures_in_its_report():
    assert reason_with(Status=3, Report="[]").startswith("Report")


def test_an_identifiable_verdict_with_another_spelling_of_an_empty_list_passes():
    assert parse("verification", body_of("verification", Status=3, Report="[ ]")).report == "[ ]"


def test_a_lenient_single_quoted_report_is_accepted_and_kept_as_sent():
    report = "[{'Parts': [{'Classification': 'Location', 'Offset': 3, 'Word': 'High Street'}],"
    report += " 'ProblemField': 'InstitutionAddress', 'ProblemValue': ' 1 High Street '}]"
    assert parse("verification", body_of("verification", Report=report)).report == report


@pytest.mark.parametrize("report", [
    "Could not open file: permission denied", "null", "{}", "[{'Parts': null}]",
])
def test_a_verifier_error_is_accepted_whatever_its_report_text(report):
    body = body_of("verification", Status="ErrorWontRetry", Report=report)
    message = parse("verification", body)
    assert (message.status, message.report) == ("ErrorWontRetry", report)


@pytest.mark.parametrize("status", [1, 2, 3, 42])
@pytest.mark.parametrize("report", ["Could not open file", "null", "{}", '[{"Word": "x"}]'])
def test_any_other_verdict_needs_a_failure_report(status, report):
    assert reason_with(Status=status, Report=report).startswith("Report")


def test_report_must_be_a_string():
    assert reason_with(Report=[]) == "Report must be a string, got array"
