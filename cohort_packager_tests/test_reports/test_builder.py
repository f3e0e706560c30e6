import pytest

from cohort_packager.reports import REPORT_FILES, ReportLocationError, build_reports
from cohort_packager_tests.test_reports import (
    chunked,
    collection,
    collection_frame,
    job_document,
    outcome,
)

REPORT_DIR = ("PRJ042", "extractions", "reports", "ct-head-2024")
CSV_HEADERS = {
    "rejected_files.csv": b"ExtractionKey,Count,Reason\n",
    "processing_errors.csv": b"DicomFilePath,Reason\n",
    "verification_failures.csv": (
        b"Resource,ResourcePrimaryKey,ProblemField,ProblemValue,PartWords,"
        b"PartClassifications,PartOffsets\n"
    ),
}


def build(root, job=None, collections=(), outcomes=(), **options):
    collection_chunks = chunked(list(collections), 2, collection_frame)
    outcome_chunks = chunked(list(outcomes), 2)
    return build_reports(
        job or job_document(),
        lambda: iter(collection_chunks),
        lambda: iter(outcome_chunks),
        root,
        options.pop("newline", "\n"),
        **options,
    )


def files_in(folder):
    return {path.name: path.read_bytes() for path in folder.iterdir()}


def test_job_without_data_gets_a_readme_and_header_only_csvs(tmp_path):
    reports = build(tmp_path)

    assert reports.folder == tmp_path.resolve().joinpath(*REPORT_DIR)
    written = files_in(reports.folder)
    assert sorted(written) == sorted(REPORT_FILES)
    assert {name: written[name] for name in CSV_HEADERS} == CSV_HEADERS
    assert written["README.md"].startswith(b"# SMI extraction validation report for PRJ042 ")
    assert reports.rows == dict.fromkeys(REPORT_FILES, 0)


def test_identifiable_job_gets_three_files_and_no_verification_failures(tmp_path):
    job = job_document(isIdentifiableExtraction=True)
    outcomes = [outcome("a.dcm", verified="IsIdentifiable", message="[{]", output="a")]

    reports = build(tmp_path, job, outcomes=outcomes)

    assert sorted(files_in(reports.folder)) == sorted(REPORT_FILES[:3])
    assert sorted(reports.rows) == sorted(REPORT_FILES[:3])


def test_rows_are_counted_per_file(tmp_path):
    collections = [collection("k1", {"r1": 2, "r2": 1}), collection("k2", {"r": 1})]
    outcomes = [
        outcome("a.dcm", extracted="FileMissing", message="gone"),
        outcome("b.dcm", verified="IsIdentifiable", output="b-an.dcm", message=(
            '[{"Parts": [], "ProblemField": "F", "ProblemValue": "v"},'
            ' {"Parts": [], "ProblemField": "G", "ProblemValue": "w"}]'
        )),
    ]
    missing = [outcome("c.dcm", verified="NotIdentifiable", output="c-an.dcm")]

    reports = build(tmp_path, collections=collections, outcomes=outcomes, missing_on_disk=missing)

    assert reports.rows == {
        "README.md": 0,
        "rejected_files.csv": 3,
        "processing_errors.csv": 3,
        "verification_failures.csv": 2,
    }
    errors = files_in(reports.folder)["processing_errors.csv"]
    assert errors.endswith(b"c.dcm,Output file missing from the extraction directory\n")


def test_rebuilding_gives_identical_bytes(tmp_path):
    collections = [collection("k1", {"r1": 2})]
    outcomes = [outcome("a.dcm", extracted="ErrorWontRetry", message="failed")]

    first = files_in(build(tmp_path, collections=collections, outcomes=outcomes).folder)
    second = files_in(build(tmp_path, collections=collections, outcomes=outcomes).folder)

    assert first == second


def test_only_rewrites_the_named_file_and_keeps_the_others(tmp_path):
    reports = build(tmp_path)
    (reports.folder / "rejected_files.csv").write_bytes(b"kept as it was\n")
    (reports.folder / "manifest.json").write_bytes(b"{}")
    later_job = job_document(userName="someone-else")

    rebuilt = build(tmp_path, later_job, outcomes=[outcome("x", extracted="FileMissing")],
                    only=["README.md"])

    written = files_in(rebuilt.folder)
    assert rebuilt.rows == {"README.md": 0}
    assert b"someone-else" in written["README.md"]
    assert written["rejected_files.csv"] == b"kept as it was\n"
    assert written["processing_errors.csv"] == CSV_HEADERS["processing_errors.csv"]
    assert written["manifest.json"] == b"{}"


def test_only_naming_verification_failures_writes_nothing_for_an_identifiable_job(tmp_path):
    job = job_document(isIdentifiableExtraction=True)

    reports = build(tmp_path, job, only={"verification_failures.csv"})

    assert reports.rows == {}
    assert not reports.folder.exists()


@pytest.mark.parametrize("only", [["summary.csv"], "README.md"])
def test_only_must_name_report_files(tmp_path, only):
    with pytest.raises(ValueError, match="only"):
        build(tmp_path, only=only)


def test_bad_newline_is_refused_before_the_folder_is_created(tmp_path):
    with pytest.raises(ValueError, match="newline"):
        build(tmp_path, newline="\\n")

    assert list(tmp_path.iterdir()) == []


def test_extraction_directory_escaping_the_root_is_refused(tmp_path):
    root = tmp_path / "root"
    root.mkdir()

    with pytest.raises(ReportLocationError):
        build(root, job_document(extractionDirectory="../outside/x"))

    assert sorted(path.name for path in tmp_path.iterdir()) == ["root"]


def test_failed_rebuild_keeps_the_previous_reports(tmp_path):
    reports = build(tmp_path, collections=[collection("k", {"r": 1})])
    before = files_in(reports.folder)
    broken = [outcome("a", verified="IsIdentifiable", message="not json", output="S1/a.dcm")]

    with pytest.raises(ValueError, match="S1/a.dcm"):
        build(tmp_path, outcomes=broken)

    assert files_in(reports.folder) == before
