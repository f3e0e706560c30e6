"""Child process of the fault tests: one report run of a job on `$COHORT_PACKAGER_CONFIG`,
paused part way through writing so the parent can kill it there.

    python -m cohort_packager_tests.test_faults.report_child MARKER RESUME POINT JOB_ID

POINT is one of:
  staging     processing_errors.csv is half written into the run's staging folder;
  publishing  every report is staged, and the last one is half copied into the folder that
              is about to replace the reports folder.
The wrapping is done here only; the code under test runs unchanged.
"""

from __future__ import annotations

import argparse
import io
import sys

from dagster import DagsterInstance

from cohort_packager.assets import staging
from cohort_packager.assets.partitions import extractions
from cohort_packager_tests.support.service import ServiceDriver
from cohort_packager_tests.test_faults.pause_point import PausePoint

POINTS = ("staging", "publishing")
PAUSED_REPORT = "processing_errors.csv"


def main(argv: list[str] | None = None) -> int:
    arguments = _arguments(argv)
    pause = PausePoint(arguments.marker, arguments.resume)
    if arguments.point == "staging":
        _pause_while_staging(pause)
    else:
        _pause_while_publishing(pause)

    instance = DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(extractions.name, [arguments.job_id])
    result = ServiceDriver(instance).run_reports(arguments.job_id, raise_on_error=False)
    print(f"report run ended, success={result.success}")
    return 0 if result.success else 1


def _pause_while_staging(pause: PausePoint) -> None:
    real_writer = staging._WRITERS[PAUSED_REPORT]

    def write_half_then_pause(store, job, newline, sink):
        content = io.BytesIO()
        real_writer(store, job, newline, _Buffer(content))
        _write_half_then_pause(content.getvalue(), sink.path, pause, "staging")

    staging._WRITERS[PAUSED_REPORT] = write_half_then_pause


def _pause_while_publishing(pause: PausePoint) -> None:
    real_publish = staging.write_folder_atomically

    def publish_with_pause(folder, files, keep_existing):
        last = list(files)[-1]
        real_copy = files[last]

        def copy_half_then_pause(out):
            content = io.BytesIO()
            real_copy(content)
            _write_half_then_pause(content.getvalue(), out, pause, "publishing")

        return real_publish(folder, {**files, last: copy_half_then_pause}, keep_existing)

    staging.write_folder_atomically = publish_with_pause


class _Buffer:
    """A staging sink that keeps the report in memory."""

    def __init__(self, content: io.BytesIO):
        self.content = content

    def write_with(self, writer) -> int:
        return writer(self.content)


def _write_half_then_pause(content: bytes, target, pause: PausePoint, point: str) -> None:
    half = content[: len(content) // 2]
    if isinstance(target, io.IOBase):
        target.write(half)
        target.flush()
        name = target.name
    else:
        target.write_bytes(half)
        name = str(target)
    pause.reach({"point": point, "file": str(name), "written": len(half), "size": len(content)})


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("marker")
    parser.add_argument("resume")
    parser.add_argument("point", choices=POINTS)
    parser.add_argument("job_id")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
