"""The service as it runs in production: a real `dagster-daemon run` process ingests a case from
the broker, detects completion and launches the report run, with no help from the test."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from cohort_packager_tests.support.acceptance import (
    COMPARE_SCRIPT,
    create_written_files,
    load_case,
    publish,
)
from cohort_packager_tests.support.processes import BIN, REPO_ROOT, dagster_environment

CASE = "04_verification_failures"
DEADLINE_SECONDS = 150


def test_daemon_ingests_a_case_and_writes_its_reports(environment, tmp_path):
    case = load_case(CASE)
    create_written_files(case, environment.extract_root)
    environment.declare_queues()
    connection, channel = environment.channel()
    for message in case.messages:
        publish(channel, environment.queue_names[message.queue], message.headers, message.body)
    connection.close()
    env = dagster_environment(environment.config_path, tmp_path / "dagster_home")
    log_path = tmp_path / "daemon.log"

    with open(log_path, "wb") as log:
        daemon = subprocess.Popen(
            [str(BIN / "dagster-daemon"), "run", "-w", str(REPO_ROOT / "workspace.yaml")],
            env=env, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        matched = _wait_for_matching_reports(case, environment.extract_root)
    finally:
        daemon.send_signal(signal.SIGINT)
        try:
            daemon.wait(timeout=30)
        except subprocess.TimeoutExpired:
            daemon.kill()

    assert matched, log_path.read_text(errors="replace")[-4000:]
    assert environment.queue_depth("VerificationStatusOptions") == 0
    job = environment.store.job(case.meta["job_id"])
    assert job["jobStatus"] == "Completed" and job["completedAt"] is not None


def _wait_for_matching_reports(case, extract_root) -> bool:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if (extract_root / case.meta["report_dir"]).is_dir():
            result = subprocess.run(
                [sys.executable, str(COMPARE_SCRIPT), str(case.folder), str(extract_root),
                 "--extract-root", "--allow-extra", "--quiet"], capture_output=True)
            if result.returncode == 0:
                return True
        time.sleep(1)
    return False
