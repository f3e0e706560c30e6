from datetime import datetime, timedelta, timezone

import pytest

from cohort_packager.reports import render_readme
from cohort_packager.reports.readme import escape_markdown, format_timespan
from cohort_packager_tests.test_reports import job_document

EXPECTED_LINES = [
    "# SMI extraction validation report for PRJ042 ct-head-2024",
    "",
    "Job info:",
    "-   Job submitted at:             2024-03-01T09:30:00",
    "-   Job completed at:             2024-03-01T10:30:00",
    "-   Job duration:                 01:00:00",
    "-   Job extraction id:            6d0f1a52-7c1e-4d53-9a57-0b8f2f1e9c11",
    "-   Extraction tag:               SeriesInstanceUID",
    "-   Extraction modality:          CT",
    "-   Requested identifier count:   2",
    "-   User name:                    jdoe",
    "-   Identifiable extraction:      No",
    "-   Filtered extraction:          Yes",
]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_readme_lists_the_job_facts_aligned_and_ends_every_line_with_the_newline(newline):
    text = render_readme(job_document(), newline)

    assert text == newline.join(EXPECTED_LINES) + newline


def test_readme_rejects_a_newline_given_as_backslash_n_text():
    with pytest.raises(ValueError, match="newline"):
        render_readme(job_document(), "\\n")


def test_readme_says_unspecified_when_the_modality_is_null():
    text = render_readme(job_document(extractionModality=None), "\n")

    assert "-   Extraction modality:          Unspecified\n" in text


def test_readme_reports_identifiable_and_unfiltered_extractions():
    job = job_document(isIdentifiableExtraction=True, IsNoFilterExtraction=True)

    text = render_readme(job, "\n")

    assert "-   Identifiable extraction:      Yes\n" in text
    assert "-   Filtered extraction:          No\n" in text


def test_readme_writes_the_job_id_in_lowercase():
    text = render_readme(job_document(_id=job_document()["_id"].upper()), "\n")

    assert "6d0f1a52-7c1e-4d53-9a57-0b8f2f1e9c11" in text


def test_readme_duration_comes_from_millisecond_values():
    job = job_document(
        jobSubmittedAt=datetime(2024, 3, 1, 9, 30, 0, 123456),
        completedAt=datetime(2024, 3, 1, 9, 30, 7, 246999),
    )

    text = render_readme(job, "\n")

    assert "-   Job duration:                 00:00:07.1230000\n" in text
    assert "-   Job submitted at:             2024-03-01T09:30:00\n" in text


def test_readme_converts_zone_aware_times_to_utc():
    plus_two = timezone(timedelta(hours=2))
    job = job_document(
        jobSubmittedAt=datetime(2024, 3, 1, 11, 30, tzinfo=plus_two),
        completedAt=datetime(2024, 3, 1, 10, 0, tzinfo=timezone.utc),
    )

    text = render_readme(job, "\n")

    assert "-   Job submitted at:             2024-03-01T09:30:00\n" in text
    assert "-   Job duration:                 00:30:00\n" in text


def test_readme_title_uses_the_name_after_a_backslash():
    text = render_readme(job_document(extractionDirectory="PRJ042\\extractions\\mr"), "\n")

    assert text.startswith("# SMI extraction validation report for PRJ042 mr\n")


def test_readme_names_a_missing_field():
    job = job_document()
    del job["userName"]

    with pytest.raises(ValueError, match="userName"):
        render_readme(job, "\n")


def test_readme_escapes_values_that_would_inject_markup():
    job = job_document(
        projectNumber="P_1*",
        userName="<script>alert(1)</script>",
        keyTag="[link](http://x)",
        extractionModality="CT\n# Heading",
    )

    text = render_readme(job, "\n")

    assert text.startswith("# SMI extraction validation report for P\\_1\\* ct-head-2024\n")
    assert "User name:                    &lt;script&gt;alert(1)&lt;/script&gt;\n" in text
    assert "Extraction tag:               \\[link\\](http://x)\n" in text
    assert "Extraction modality:          CT \\# Heading\n" in text
    assert len(text.split("\n")) == 14


@pytest.mark.parametrize(
    "raw, escaped",
    [
        ("a\\b", "a\\\\b"),
        ("`code`", "\\`code\\`"),
        ("*bold*", "\\*bold\\*"),
        ("_it_", "\\_it\\_"),
        ("[x]", "\\[x\\]"),
        ("#1", "\\#1"),
        ("a|b", "a\\|b"),
        ("~~s~~", "\\~\\~s\\~\\~"),
        ("a<b>c&d", "a&lt;b&gt;c&amp;d"),
        ("one\r\ntwo\rthree\nfour", "one two three four"),
    ],
)
def test_markdown_specials_are_escaped(raw, escaped):
    assert escape_markdown(raw) == escaped


@pytest.mark.parametrize(
    "value", ["PRJ042", "ct-head-2024", "SeriesInstanceUID", "jdoe", "CT", "1.2.3-4"]
)
def test_ordinary_values_are_not_changed_by_escaping(value):
    assert escape_markdown(value) == value


@pytest.mark.parametrize(
    "duration, text",
    [
        (timedelta(hours=1), "01:00:00"),
        (timedelta(seconds=7, milliseconds=123), "00:00:07.1230000"),
        (timedelta(days=1, hours=2, minutes=3, seconds=4, milliseconds=500), "1.02:03:04.5000000"),
        (timedelta(0), "00:00:00"),
        (-timedelta(hours=1), "-01:00:00"),
        (-timedelta(seconds=7, milliseconds=123), "-00:00:07.1230000"),
        (
            -timedelta(days=1, hours=2, minutes=3, seconds=4, milliseconds=500),
            "-1.02:03:04.5000000",
        ),
        (timedelta(days=12, microseconds=1), "12.00:00:00.0000010"),
    ],
)
def test_duration_uses_the_dotnet_timespan_format(duration, text):
    assert format_timespan(duration) == text
