"""An IO manager for report assets, whose value is a file the op has already written."""

from __future__ import annotations

from dagster import ConfigurableIOManager, InputContext, OutputContext


class ReportFileIOManager(ConfigurableIOManager):
    """Stores nothing: the report op writes its file itself; the output is only its path."""

    def handle_output(self, context: OutputContext, obj: str | None) -> None:
        return None

    def load_input(self, context: InputContext) -> str:
        raise NotImplementedError(
            "report assets are files on disk; read them from the path in their metadata"
        )
