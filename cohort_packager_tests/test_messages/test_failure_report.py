"""parse_failure_report: IsIdentifiable's failure list, as found in a verification Report."""
import json
import time

import pytest

from cohort_packager.messages import Failure, FailurePart, InvalidMessage, parse_failure_report


def failure(**changes) -> dict:
    document = {
        "Parts": [{"Classification": 3, "Offset": 0, "Word": "Smith"}],
        "Resource": "/extract/x.dcm",
        "ResourcePrimaryKey": "1.2.3",
        "ProblemField": "PatientName",
        "ProblemValue": "Smith^John",
    }
    document.update(changes)
    return document


def reason_for(report: str) -> str:
    with pytest.raises(InvalidMessage) as raised:
        parse_failure_report(report)
    return raised.value.reason


def test_a_report_gives_its_failures_in_order():
    report = json.dumps([failure(), failure(ResourcePrimaryKey=None, ProblemField="PixelData")])
    assert parse_failure_report(report) == [
        Failure(
            parts=(FailurePart("Person", 0, "Smith"),),
            resource="/extract/x.dcm",
            resource_primary_key="1.2.3",
            problem_field="PatientName",
            problem_value="Smith^John",
        ),
        Failure(
            parts=(FailurePart("Person", 0, "Smith"),),
            resource="/extract/x.dcm",
            resource_primary_key=None,
            problem_field="PixelData",
            problem_value="Smith^John",
        ),
    ]


def test_an_empty_list_has_no_failures():
    assert parse_failure_report("[]") == []
    assert parse_failure_report(" [ ] ") == []


def test_parts_are_sorted_by_offset_keeping_ties_in_their_order():
    parts = [
        {"Classification": 7, "Offset": 18, "Word": "12/03/1961"},
        {"Classification": 3, "Offset": 9, "Word": "J"},
        {"Classification": 3, "Offset": 9, "Word": "Smith"},
        {"Classification": 9, "Offset": -1, "Word": "PIXELS"},
    ]
    (result,) = parse_failure_report(json.dumps([failure(Parts=parts)]))
    assert [part.word for part in result.parts] == ["PIXELS", "J", "Smith", "12/03/1961"]


@pytest.mark.parametrize("classification, name", [
    (9, "PixelText"), ("Postcode", "Postcode"), ("privateidentifier", "PrivateIdentifier"),
    ("3", "Person"), (0, "None"), (99, "99"),
])
def test_classifications_are_taken_by_number_or_name(classification, name):
    parts = [{"Classification": classification, "Offset": 1, "Word": "w"}]
    (result,) = parse_failure_report(json.dumps([failure(Parts=parts)]))
    assert result.parts[0].classification == name


def test_a_single_quoted_report_with_names_is_read_leniently():
    report = ("[{'Parts': [{'Classification': 'Location', 'Offset': 3, 'Word': 'High Street'}],"
              " 'ProblemField': 'InstitutionAddress', 'ProblemValue': ' 1 High Street ',}]")
    (result,) = parse_failure_report(report)
    assert result.parts == (FailurePart("Location", 3, "High Street"),)
    assert (result.problem_value, result.resource) == (" 1 High Street ", None)


def test_property_names_are_case_insensitive_and_unknown_ones_ignored():
    report = ('[{"parts": [{"CLASSIFICATION": 4, "offset": 2, "word": "NHS", "Extra": 1}],'
              ' "problemfield": "InstitutionName", "Comment": "ignored"}]')
    (result,) = parse_failure_report(report)
    assert result.parts == (FailurePart("Organization", 2, "NHS"),)
    assert result.problem_field == "InstitutionName"


def test_a_missing_offset_is_zero_and_a_missing_word_is_empty():
    (result,) = parse_failure_report('[{"Parts": [{"Classification": 3}]}]')
    assert result.parts == (FailurePart("Person", 0, ""),)


@pytest.mark.parametrize("report, where", [
    ("", "Report"),
    ("null", "Report"),
    ("plain text from the verifier", "Report"),
    ('{"Parts": []}', "Report"),
    ("[null]", "Report[0]"),
    ("[[]]", "Report[0]"),
    ('[{"ProblemField": "x"}]', "Report[0].Parts"),
    ('[{"Parts": null}]', "Report[0].Parts"),
    ('[{"Parts": {}}]', "Report[0].Parts"),
    ('[{"Parts": [5]}]', "Report[0].Parts[0]"),
    ('[{"Parts": [{"Offset": 1, "Word": "x"}]}]', "Report[0].Parts[0].Classification"),
    ('[{"Parts": [{"Classification": "Nobody"}]}]', "Report[0].Parts[0].Classification"),
    ('[{"Parts": [{"Classification": 1.5}]}]', "Report[0].Parts[0].Classification"),
    ('[{"Parts": [{"Classification": 1, "Offset": null}]}]', "Report[0].Parts[0].Offset"),
    ('[{"Parts": [{"Classification": 1, "Offset": "x"}]}]', "Report[0].Parts[0].Offset"),
    ('[{"Parts": [{"Classification": 1, "Word": 5}]}]', "Report[0].Parts[0].Word"),
    ('[{"Parts": [], "ProblemValue": 5}]', "Report[0].ProblemValue"),
])
def test_a_malformed_report_is_rejected_naming_the_place(report, where):
    reason = reason_for(report)
    assert reason.startswith(where)


def test_a_rejection_reason_does_not_quote_the_report():
    reason = reason_for('[{"Parts": [{"Classification": "Smith^John"}]}]')
    assert "Smith" not in reason


def test_deep_nesting_is_rejected_without_crashing():
    assert reason_for("[" * 100_000 + "]" * 100_000).startswith("Report")


def test_strict_json_reports_parse_quickly():
    report = json.dumps([failure(), failure()])
    started = time.perf_counter()
    for _ in range(2000):
        parse_failure_report(report)
    per_report = (time.perf_counter() - started) / 2000
    assert per_report < 0.001
