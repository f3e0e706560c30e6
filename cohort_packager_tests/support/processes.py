"""Run the Dagster command-line tools against a test's configuration and a fresh DAGSTER_HOME."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def dagster_environment(config_path: Path, dagster_home: Path) -> dict[str, str]:
    dagster_home.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO_ROOT / "dagster.yaml", dagster_home / "dagster.yaml")
    return {**os.environ, "COHORT_PACKAGER_CONFIG": str(config_path),
            "DAGSTER_HOME": str(dagster_home), "PYTHONPATH": str(REPO_ROOT)}


def run_dagster(args: list[str], env: dict[str, str],
                timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "dagster"), *args], env=env, cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=timeout)
