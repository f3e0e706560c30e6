import io

import pandas as pd
import pytest

from cohort_packager.reports import write_processing_errors
from cohort_packager_tests.test_reports import chunked, outcome

HEADER = b"DicomFilePath,Reason\n"
MISSING_OUTPUT = b"Output file missing from the extraction directory"

MIXED_OUTCOMES = [
    outcome("a.dcm", verified="NotIdentifiable", message="[]", output="a-an.dcm"),
    outcome("b.dcm", extracted="ErrorWontRetry", message="Anonymiser exited with code 1"),
    outcome("c.dcm", extracted="FileMissing", message="Could not find c.dcm"),
    outcome("d.dcm", verified="ErrorWontRetry", message="could not read file", output="d.dcm"),
    outcome("e.dcm", extracted="Copied", output="e.dcm"),
    outcome("f.dcm", verified="IsIdentifiable", message="[{}]", output="f-an.dcm"),
    outcome("g.dcm", extracted="FileMissing", message="Could not find g.dcm"),
    outcome("h.dcm", verified="ErrorWontRetry", message="[]", output="h.dcm"),
    outcome("i.dcm", extracted="7", message="undefined status"),
]


def errors_csv(documents, identifiable=False, missing=(), chunk_size=100, restream=True):
    chunks = chunked(documents, chunk_size)
    source = (lambda: iter(chunks)) if restream else iter(chunks)
    out = io.BytesIO()
    rows = write_processing_errors(source, out, "\n", identifiable, missing)
    return rows, out.getvalue()


def test_blocks_follow_each_other_each_in_arrival_order():
    missing = [outcome("x.dcm", verified="NotIdentifiable", output="x-an.dcm")]

    rows, data = errors_csv(MIXED_OUTCOMES, missing=missing)

    assert data == HEADER + (
        b"c.dcm,Missing\n"
        b"g.dcm,Missing\n"
        b"b.dcm,Anonymiser exited with code 1\n"
        b"c.dcm,Could not find c.dcm\n"
        b"g.dcm,Could not find g.dcm\n"
        b"i.dcm,undefined status\n"
        b"d.dcm,could not read file\n"
        b"h.dcm,[]\n"
        b"x.dcm," + MISSING_OUTPUT + b"\n"
    )
    assert rows == 9


def test_identifiable_job_lists_only_missing_files():
    missing = [outcome("e.dcm", extracted="Copied", output="e.dcm")]

    rows, data = errors_csv(MIXED_OUTCOMES, identifiable=True, missing=missing)

    assert data == HEADER + b"c.dcm,Missing\ng.dcm,Missing\ne.dcm," + MISSING_OUTPUT + b"\n"
    assert rows == 3


@pytest.mark.parametrize("identifiable", [False, True])
def test_one_pass_over_an_iterable_gives_the_same_bytes_as_restreaming(identifiable):
    missing = [outcome("z.dcm")]

    restreamed = errors_csv(MIXED_OUTCOMES, identifiable, missing, chunk_size=2)
    one_pass = errors_csv(MIXED_OUTCOMES, identifiable, missing, chunk_size=2, restream=False)

    assert one_pass == restreamed


def test_many_small_chunks_give_the_same_bytes_as_one_chunk():
    documents = MIXED_OUTCOMES * 150

    assert errors_csv(documents, chunk_size=1) == errors_csv(documents, chunk_size=5000)
    assert errors_csv(documents, chunk_size=7, restream=False) == errors_csv(documents)


def test_restreaming_reads_the_outcomes_once_per_block():
    calls = []

    def outcomes():
        calls.append(1)
        return iter(chunked(MIXED_OUTCOMES, 4))

    write_processing_errors(outcomes, io.BytesIO(), "\n", identifiable=False)

    assert len(calls) == 3


def test_paths_and_reasons_that_look_like_formulas_are_neutralised():
    documents = [
        outcome("=1+1.dcm", extracted="FileMissing", message="-rf failed"),
        outcome("@x.dcm", extracted="ErrorWontRetry", message="\tTab, then comma"),
    ]
    missing = [outcome("+y.dcm")]

    _, data = errors_csv(documents, missing=missing)

    assert data == HEADER + (
        b"'=1+1.dcm,Missing\n"
        b"'=1+1.dcm,'-rf failed\n"
        b"'@x.dcm,\"'\tTab, then comma\"\n"
        b"'+y.dcm," + MISSING_OUTPUT + b"\n"
    )


def test_quoting_follows_the_upstream_rule():
    documents = [
        outcome("d.dcm", extracted="ErrorWontRetry", message='Tag "PatientName" failed, aborting'),
        outcome("e.dcm", extracted="ErrorWontRetry", message="line one\nline two"),
    ]

    _, data = errors_csv(documents)

    assert data == HEADER + (
        b'd.dcm,"Tag ""PatientName"" failed, aborting"\n'
        b'e.dcm,"line one\nline two"\n'
    )


def test_no_errors_gives_only_the_header():
    clean = [outcome("a.dcm", verified="NotIdentifiable", message="[]", output="a")]

    assert errors_csv(clean) == (0, HEADER)
    assert errors_csv([]) == (0, HEADER)


def test_null_reason_is_an_empty_unquoted_field():
    frame = pd.DataFrame([outcome("a.dcm", extracted="ErrorWontRetry", message=None)])
    out = io.BytesIO()

    write_processing_errors([frame], out, "\n", identifiable=False)

    assert out.getvalue() == HEADER + b"a.dcm,\n"


def test_chunk_without_an_outcome_column_is_refused():
    frame = pd.DataFrame({"dicomFilePath": ["a.dcm"], "statusMessage": ["x"]})

    with pytest.raises(ValueError, match="extractedFileStatus"):
        write_processing_errors([frame], io.BytesIO(), "\n", identifiable=False)


def test_bad_newline_is_refused_before_anything_is_written():
    out = io.BytesIO()

    with pytest.raises(ValueError, match="newline"):
        write_processing_errors([], out, "\\r\\n", identifiable=False)

    assert out.getvalue() == b""
