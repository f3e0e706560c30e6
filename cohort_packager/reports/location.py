"""Where a job's reports go: `<root>/<project extraction dir>/reports/<extraction name>`."""

import os
from pathlib import Path


class ReportLocationError(ValueError):
    """The job's ExtractionDirectory gives no usable reports folder inside the root."""


def split_extraction_directory(extraction_directory: str) -> tuple[str, str]:
    """(project extraction dir, extraction name), split at the last '/' or '\\'.

    Raises ReportLocationError when there is no separator at all.
    """
    cut = max(extraction_directory.rfind("/"), extraction_directory.rfind("\\"))
    if cut < 0:
        raise ReportLocationError(
            f"ExtractionDirectory {extraction_directory!r} has no '/' or '\\' separating "
            "the project folder from the extraction name"
        )
    return extraction_directory[:cut], extraction_directory[cut + 1 :]


def reports_folder(extract_root: Path, extraction_directory: str) -> Path:
    """The resolved reports folder for a job; it is promised to lie inside the resolved root.

    Raises ReportLocationError when the extraction name is missing or is '.' or '..', or when
    the folder, with symbolic links followed, escapes the root (DECISIONS 15).
    """
    project_dir, name = split_extraction_directory(extraction_directory)
    if name in ("", ".", ".."):
        raise ReportLocationError(
            f"ExtractionDirectory {extraction_directory!r} must end with an extraction name"
        )

    root = Path(os.path.realpath(extract_root))
    folder = Path(os.path.realpath(root / project_dir / "reports" / name))
    if not folder.is_relative_to(root):
        raise ReportLocationError(
            f"ExtractionDirectory {extraction_directory!r} leads to a reports folder outside "
            "the extraction root"
        )
    return folder
