import io
import json

import pytest

from cohort_packager.reports import write_verification_failures
from cohort_packager_tests.test_reports import chunked, outcome

HEADER = (
    b"Resource,ResourcePrimaryKey,ProblemField,ProblemValue,PartWords,PartClassifications,"
    b"PartOffsets\n"
)


def failure(field, value, parts, key="1.2.3", resource="/elsewhere/x.dcm"):
    return {
        "Parts": [{"Classification": c, "Offset": o, "Word": w} for c, o, w in parts],
        "Resource": resource,
        "ResourcePrimaryKey": key,
        "ProblemField": field,
        "ProblemValue": value,
    }


def flagged(output, *failures):
    report = json.dumps(list(failures))
    return outcome("src/" + output, verified="IsIdentifiable", message=report, output=output)


def failures_csv(documents, chunk_size=100, newline="\n"):
    out = io.BytesIO()
    rows = write_verification_failures(iter(chunked(documents, chunk_size)), out, newline)
    return rows, out.getvalue()


def test_one_row_per_failure_with_parts_in_offset_order_and_the_output_path_as_resource():
    documents = [
        flagged(
            "S1/f2-an.dcm",
            failure("StudyDescription", "Scan for J Smith, 12/03/1961",
                    [(7, 18, "12/03/1961"), (3, 9, "J Smith")]),
            failure("PixelData", "JOHN SMITH", [(9, -1, "JOHN SMITH")], key=None),
        ),
        flagged("S1/f3-an.dcm", failure("ScanOptions", "FOO", [])),
    ]

    rows, data = failures_csv(documents)

    assert rows == 3
    assert data == HEADER + (
        b'S1/f2-an.dcm,1.2.3,StudyDescription,"Scan for J Smith, 12/03/1961",'
        b"J Smith###12/03/1961,Person###Date,9###18\n"
        b"S1/f2-an.dcm,,PixelData,JOHN SMITH,JOHN SMITH,PixelText,-1\n"
        b"S1/f3-an.dcm,1.2.3,ScanOptions,FOO,,,\n"
    )


def test_only_files_judged_identifiable_contribute_rows():
    documents = [
        outcome("a", verified="NotIdentifiable", message="[]", output="a-an"),
        outcome("b", verified="ErrorWontRetry", message="could not open", output="b-an"),
        outcome("c", extracted="ErrorWontRetry", message="anonymiser failed"),
        outcome("d", extracted="Copied", output="d"),
    ]

    assert failures_csv(documents) == (0, HEADER)


def test_cells_are_written_exactly_without_formula_guarding():
    documents = [flagged("=out.dcm", failure("PatientName", "=HYPERLINK()", [(3, 0, "=HYP")]))]

    _, data = failures_csv(documents)

    assert data == HEADER + b"=out.dcm,1.2.3,PatientName,=HYPERLINK(),=HYP,Person,0\n"


def test_single_quoted_report_with_a_classification_name_is_read():
    report = (
        "[{'Parts': [{'Classification': 'Location', 'Offset': 3, 'Word': 'High Street'}], "
        "'ResourcePrimaryKey': 'k', 'ProblemField': 'InstitutionAddress', "
        "'ProblemValue': ' 1 High Street '}]"
    )
    documents = [outcome("f", verified="IsIdentifiable", message=report, output="S1/f3-an.dcm")]

    _, data = failures_csv(documents)

    assert data == HEADER + (
        b'S1/f3-an.dcm,k,InstitutionAddress," 1 High Street ",High Street,Location,3\n'
    )


def test_line_feed_in_a_value_is_not_quoted_under_crlf():
    comment = failure("StudyComments", "Seen by\nDr Who", [(3, 8, "Dr Who")])
    documents = [flagged("S1/c.dcm", comment)]

    _, data = failures_csv(documents, newline="\r\n")

    assert data.endswith(b"\r\nS1/c.dcm,1.2.3,StudyComments,Seen by\nDr Who,Dr Who,Person,8\r\n")


def test_many_small_chunks_give_the_same_bytes_as_one_chunk():
    documents = [
        flagged(f"S/{i}.dcm", *[failure("F", f"v{i} {j}", [(3, j, "w")]) for j in range(i % 3)])
        for i in range(300)
    ]

    assert failures_csv(documents, chunk_size=1) == failures_csv(documents, chunk_size=1000)


def test_report_that_does_not_parse_names_the_output_file_but_not_the_report():
    documents = [
        outcome("src", verified="IsIdentifiable", message="Smith^John not json", output="S1/x.dcm")
    ]

    with pytest.raises(ValueError, match="S1/x.dcm") as caught:
        failures_csv(documents)

    assert "Smith" not in str(caught.value)
