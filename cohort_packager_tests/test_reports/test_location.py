import os

import pytest

from cohort_packager.reports import ReportLocationError, reports_folder


def test_reports_folder_sits_beside_the_extractions_under_reports(tmp_path):
    folder = reports_folder(tmp_path, "PRJ042/extractions/ct-head-2024")

    assert folder == tmp_path.resolve() / "PRJ042" / "extractions" / "reports" / "ct-head-2024"


def test_reports_folder_splits_at_the_last_backslash_too(tmp_path):
    folder = reports_folder(tmp_path, "PRJ042/extractions\\ct-head-2024")

    assert folder == tmp_path.resolve() / "PRJ042" / "extractions" / "reports" / "ct-head-2024"


def test_backslashes_before_the_last_separator_stay_in_the_folder_name(tmp_path):
    folder = reports_folder(tmp_path, "PRJ042\\extractions/ct")

    assert folder == tmp_path.resolve() / "PRJ042\\extractions" / "reports" / "ct"


def test_location_errors_are_value_errors():
    assert issubclass(ReportLocationError, ValueError)


@pytest.mark.parametrize("directory", ["ct-head-2024", ""])
def test_directory_without_separator_is_refused(tmp_path, directory):
    with pytest.raises(ReportLocationError, match="separat"):
        reports_folder(tmp_path, directory)


@pytest.mark.parametrize("directory", ["PRJ042/extractions/", "PRJ042/.", "PRJ042/..", "a\\.."])
def test_directory_without_an_extraction_name_is_refused(tmp_path, directory):
    with pytest.raises(ReportLocationError, match="extraction name"):
        reports_folder(tmp_path, directory)


@pytest.mark.parametrize(
    "directory", ["../../elsewhere/x", "/etc/x", "PRJ042/../../x", "//server/share/x"]
)
def test_directory_leading_outside_the_root_is_refused(tmp_path, directory):
    root = tmp_path / "root"
    root.mkdir()

    with pytest.raises(ReportLocationError, match="outside"):
        reports_folder(root, directory)


def test_symlink_inside_the_root_pointing_outside_is_refused(tmp_path):
    root = tmp_path / "root"
    outside = tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    os.symlink(outside, root / "PRJ042")

    with pytest.raises(ReportLocationError, match="outside"):
        reports_folder(root, "PRJ042/extractions/ct")


def test_symlink_inside_the_root_pointing_inside_is_followed(tmp_path):
    root = tmp_path / "root"
    (root / "real").mkdir(parents=True)
    os.symlink(root / "real", root / "PRJ042")

    folder = reports_folder(root, "PRJ042/extractions/ct")

    assert folder == root.resolve() / "real" / "extractions" / "reports" / "ct"


def test_root_given_through_a_symlink_is_resolved_first(tmp_path):
    real_root = tmp_path / "real-root"
    real_root.mkdir()
    os.symlink(real_root, tmp_path / "root-link")

    folder = reports_folder(tmp_path / "root-link", "PRJ042/extractions/ct")

    assert folder == real_root.resolve() / "PRJ042" / "extractions" / "reports" / "ct"
