import io

import pandas as pd
import pytest

from cohort_packager.reports import write_rejected_files
from cohort_packager_tests.test_reports import chunked, collection, collection_frame

HEADER = b"ExtractionKey,Count,Reason\n"


def rejected_csv(documents, chunk_size=100, newline="\n"):
    out = io.BytesIO()
    rows = write_rejected_files(chunked(documents, chunk_size, collection_frame), out, newline)
    return rows, out.getvalue()


def test_keys_are_ordered_by_total_then_reasons_by_count_with_ties_in_arrival_order():
    documents = [
        collection("k1", {"ImageType is not ORIGINAL": 2}),
        collection("k2", {"Modality was not CT": 3, "Blacklisted": 1, "Burned-in, flagged": 1}),
        collection("k3", {"Blacklisted": 4}),
        collection("k4"),
        collection("k5", {" Dose report excluded": 2}),
    ]

    rows, data = rejected_csv(documents)

    assert rows == 6
    assert data == HEADER + (
        b"k2,3,Modality was not CT\n"
        b"k2,1,Blacklisted\n"
        b'k2,1,"Burned-in, flagged"\n'
        b"k3,4,Blacklisted\n"
        b"k1,2,ImageType is not ORIGINAL\n"
        b'k5,2," Dose report excluded"\n'
    )


def test_reasons_of_one_key_stay_together_when_another_key_has_the_same_total():
    documents = [
        collection("first", {"small": 1, "large": 3}),
        collection("second", {"middle": 2, "other": 2}),
    ]

    _, data = rejected_csv(documents)

    assert data == HEADER + (
        b"first,3,large\nfirst,1,small\nsecond,2,middle\nsecond,2,other\n"
    )


def test_negative_counts_are_written_as_they_are_and_sorted_by_value():
    documents = [collection("k", {"odd": -2, "usual": 1})]

    _, data = rejected_csv(documents)

    assert data == HEADER + b"k,1,usual\nk,-2,odd\n"


def test_text_cells_that_look_like_formulas_are_neutralised_but_counts_are_not():
    documents = [collection("=cmd|' /C calc'!A0", {"+1 reason": -5, "@SUM(1)": 1})]

    _, data = rejected_csv(documents)

    assert data == HEADER + (
        b"'=cmd|' /C calc'!A0,1,'@SUM(1)\n"
        b"'=cmd|' /C calc'!A0,-5,'+1 reason\n"
    )


def test_no_rejections_gives_only_the_header():
    rows, data = rejected_csv([collection("k1"), collection("k2", {})])

    assert (rows, data) == (0, HEADER)


def test_no_documents_at_all_gives_only_the_header():
    out = io.BytesIO()

    assert write_rejected_files(iter([]), out, "\n") == 0
    assert out.getvalue() == HEADER


def test_null_rejection_info_counts_as_none():
    frame = pd.DataFrame(
        {"key": ["k1", "k2"], "rejectionInfo": [None, [{"reason": "r", "count": 1}]]}
    )
    out = io.BytesIO()

    write_rejected_files([frame], out, "\n")

    assert out.getvalue() == HEADER + b"k2,1,r\n"


def test_many_small_chunks_give_the_same_bytes_as_one_chunk():
    documents = [
        collection(f"key{i}", {f"reason {j}": (i * 7 + j * 3) % 5 + 1 for j in range(i % 4)})
        for i in range(60)
    ]

    one = rejected_csv(documents, chunk_size=1000)
    many = rejected_csv(documents, chunk_size=1)

    assert one == many
    assert one[0] == sum(i % 4 for i in range(60))


def test_crlf_newline_ends_every_line():
    _, data = rejected_csv([collection("k", {"line\r\nbreak": 1})], newline="\r\n")

    assert data == b'ExtractionKey,Count,Reason\r\nk,1,"line\r\nbreak"\r\n'


@pytest.mark.parametrize(
    "rejections, complaint",
    [
        ({"fine": 1, "zero": 0}, "count must not be 0"),
        ({"   ": 2}, "reason must be non-blank"),
        ({"fine": "3"}, "count must be an integer"),
        ({"fine": True}, "count must be an integer"),
    ],
)
def test_invalid_rejection_is_refused_without_quoting_the_key(rejections, complaint):
    documents = [collection("1.2.3.secret-key", rejections)]

    with pytest.raises(ValueError, match=complaint) as caught:
        rejected_csv(documents)

    assert "secret-key" not in str(caught.value)
    assert "document 0" in str(caught.value)
