"""Start the fault tests' child processes, meet them at their pause point, and end them.

A child announces that it reached its pause point by writing a JSON marker file, then waits
until the parent creates a resume file (or kills it). Only processes started here are ended
here, by their own pid.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from cohort_packager.config import CONFIG_ENV_VAR
from cohort_packager.store.connection import MONGO_URI_ENV_VAR

REPO_ROOT = Path(__file__).resolve().parents[2]
MARKER_TIMEOUT_SECONDS = 90.0
EXIT_TIMEOUT_SECONDS = 60.0


@dataclass
class Child:
    """One child process and the files it shares with the parent."""

    process: subprocess.Popen
    marker: Path
    resume: Path
    output: Path

    def wait_for_pause(self, timeout: float = MARKER_TIMEOUT_SECONDS) -> dict:
        """The child's marker once it is paused; fails if it exits or never gets there."""
        deadline = time.monotonic() + timeout
        while not self.marker.exists():
            if self.process.poll() is not None:
                raise AssertionError(f"the child exited with {self.process.returncode} before "
                                     f"its pause point:\n{self.log()[-4000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"the child did not reach its pause point within "
                                     f"{timeout:.0f} s:\n{self.log()[-4000:]}")
            time.sleep(0.01)
        return json.loads(self.marker.read_text(encoding="utf-8"))

    def resume_from_pause(self) -> None:
        self.resume.touch()

    def kill(self) -> int:
        """SIGKILL the child and return its exit status (minus the signal number)."""
        self.process.send_signal(signal.SIGKILL)
        return self.process.wait(timeout=EXIT_TIMEOUT_SECONDS)

    def wait_for_exit(self, timeout: float = EXIT_TIMEOUT_SECONDS) -> int:
        return self.process.wait(timeout=timeout)

    def log(self) -> str:
        return self.output.read_text(encoding="utf-8", errors="replace")

    def broker_ports(self, broker_port: int) -> set[int]:
        """Local ports of the child's TCP connections to the broker."""
        connections = psutil.Process(self.process.pid).net_connections(kind="tcp")
        return {c.laddr.port for c in connections if c.raddr and c.raddr.port == broker_port}


class ChildProcesses:
    """Starts child scripts of this package on a test's configuration; ends leftovers."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.started: list[Child] = []

    def start(self, script: str, config_path: Path, *arguments: str) -> Child:
        number = len(self.started)
        marker = self.workdir / f"child-{number}.marker"
        resume = self.workdir / f"child-{number}.resume"
        output = self.workdir / f"child-{number}.log"
        command = [sys.executable, "-m", f"cohort_packager_tests.test_faults.{script}",
                   str(marker), str(resume), *arguments]
        with open(output, "wb") as log:
            process = subprocess.Popen(command, env=_child_environment(config_path),
                                       cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL)
        child = Child(process, marker, resume, output)
        self.started.append(child)
        return child

    def end_all(self) -> None:
        for child in self.started:
            if child.process.poll() is None:
                child.kill()


def _child_environment(config_path: Path) -> dict[str, str]:
    """The test's configuration and nothing that would point the child elsewhere."""
    environment = {**os.environ, CONFIG_ENV_VAR: str(config_path),
                   "PYTHONPATH": str(REPO_ROOT), "PYTHONUNBUFFERED": "1"}
    for name in (MONGO_URI_ENV_VAR, "DAGSTER_HOME"):
        environment.pop(name, None)
    return environment
