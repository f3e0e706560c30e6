"""Run the embedded MongoDB server (SecantusDB) on demand, one server per data directory.

Every process that needs the store (the Dagster daemon, each run process, the tests) calls
`ensure_embedded_server`. Under an exclusive file lock it reuses the server recorded in the data
directory when that server still answers, or starts a new one on a free loopback port and records
its pid and port. The server outlives the process that started it, so the daemon and its runs
share it; `stop_embedded_server` ends it with SIGTERM, which lets WiredTiger close cleanly.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

log = logging.getLogger(__name__)

START_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 30.0
_LISTENING = re.compile(r"listening on 127\.0\.0\.1:(\d+)")


class EmbeddedServerError(RuntimeError):
    """The embedded server could not be started or did not answer."""


@dataclass(frozen=True)
class EmbeddedServer:
    pid: int
    port: int
    data_directory: Path

    @property
    def uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/?directConnection=true"


def default_data_directory() -> Path:
    """Where the embedded store keeps its data when the configuration does not say."""
    env = os.environ.get("COHORT_PACKAGER_DATA_DIR", "").strip()
    if env:
        return Path(env)
    dagster_home = os.environ.get("DAGSTER_HOME", "").strip()
    if dagster_home:
        return Path(dagster_home) / "cohort_packager" / "mongo"
    return Path.home() / ".cohort_packager" / "mongo"


def ensure_embedded_server(data_directory: Path) -> EmbeddedServer:
    """Return the running server for `data_directory`, starting one if none answers."""
    data_directory = Path(data_directory).resolve()
    data_directory.mkdir(parents=True, exist_ok=True)
    with _exclusive_lock(data_directory):
        server = _recorded_server(data_directory)
        if server is not None and _answers(server.port):
            return server
        if server is not None and _alive(server.pid):
            _terminate(server.pid)
        return _start(data_directory)


def stop_embedded_server(data_directory: Path) -> bool:
    """Stop the server recorded for `data_directory`; returns whether one was running."""
    data_directory = Path(data_directory).resolve()
    if not data_directory.exists():
        return False
    with _exclusive_lock(data_directory):
        server = _recorded_server(data_directory)
        _record_path(data_directory).unlink(missing_ok=True)
        if server is None or not _alive(server.pid):
            return False
        _terminate(server.pid)
        log.info("Stopped the embedded MongoDB server (pid %d)", server.pid)
        return True


def _start(data_directory: Path) -> EmbeddedServer:
    storage = data_directory / "wiredtiger"
    log_path = data_directory / "server.log"
    command = [sys.executable, "-m", "secantus", "--host", "127.0.0.1", "--port", "0",
               "--storage-path", str(storage)]
    with open(log_path, "ab") as log_file:
        offset = log_file.tell()
        process = subprocess.Popen(
            command, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, close_fds=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    port = _wait_for_port(process, log_path, offset)
    server = EmbeddedServer(pid=process.pid, port=port, data_directory=data_directory)
    _record_path(data_directory).write_text(json.dumps({"pid": server.pid, "port": port}))
    log.info("Started the embedded MongoDB server (pid %d) on port %d", server.pid, port)
    return server


def _wait_for_port(process: subprocess.Popen, log_path: Path, offset: int) -> int:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        with open(log_path, "rb") as log_file:
            log_file.seek(offset)
            match = _LISTENING.search(log_file.read().decode("utf-8", "replace"))
        if match:
            return int(match.group(1))
        if process.poll() is not None:
            raise EmbeddedServerError(
                f"the embedded MongoDB server exited with code {process.returncode} at start; "
                f"see {log_path}"
            )
        time.sleep(0.05)
    process.terminate()
    raise EmbeddedServerError(
        f"the embedded MongoDB server did not start within {START_TIMEOUT_SECONDS:.0f} s; "
        f"see {log_path}"
    )


def _recorded_server(data_directory: Path) -> EmbeddedServer | None:
    try:
        record = json.loads(_record_path(data_directory).read_text())
        return EmbeddedServer(int(record["pid"]), int(record["port"]), data_directory)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _record_path(data_directory: Path) -> Path:
    return data_directory / "server.json"


@contextmanager
def _exclusive_lock(data_directory: Path) -> Iterator[None]:
    with open(data_directory / "server.lock", "a+") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0):
            return True
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def _terminate(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        _reap(pid)
        if not _alive(pid):
            return
        time.sleep(0.05)
    log.warning("The embedded MongoDB server (pid %d) ignored SIGTERM; killing it", pid)
    os.kill(pid, signal.SIGKILL)
    _reap(pid)


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
