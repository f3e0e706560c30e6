"""The pause point of a child script: tell the parent it is there, then wait to be resumed."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

PAUSE_LIMIT_SECONDS = 120.0
PAUSE_TIMED_OUT_EXIT = 4


class PausePoint:
    """Writes `marker` (JSON) on arrival and blocks until `resume` exists.

    The parent usually kills the child while it waits; a child left waiting too long exits
    with PAUSE_TIMED_OUT_EXIT instead of lingering.
    """

    def __init__(self, marker: Path, resume: Path):
        self.marker = Path(marker)
        self.resume = Path(resume)

    def reach(self, details: dict) -> None:
        partial = self.marker.with_name(self.marker.name + ".partial")
        partial.write_text(json.dumps(details), encoding="utf-8")
        os.replace(partial, self.marker)
        deadline = time.monotonic() + PAUSE_LIMIT_SECONDS
        while not self.resume.exists():
            if time.monotonic() > deadline:
                print("nobody resumed or killed this child at its pause point", file=sys.stderr)
                os._exit(PAUSE_TIMED_OUT_EXIT)
            time.sleep(0.01)
