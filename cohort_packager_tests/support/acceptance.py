"""Read the shared acceptance cases and publish their messages to a real broker."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pika
import yaml

ACCEPTANCE_DIR = Path(
    os.environ.get("COHORT_PACKAGER_ACCEPTANCE_DIR",
                   Path(__file__).resolve().parents[2].parent / "shared" / "acceptance")
)
CASES_DIR = ACCEPTANCE_DIR / "cases"
COMPARE_SCRIPT = ACCEPTANCE_DIR / "compare.py"


@dataclass(frozen=True)
class CaseMessage:
    queue: str
    headers: dict
    body: bytes
    expect: str


@dataclass(frozen=True)
class AcceptanceCase:
    name: str
    folder: Path
    meta: dict
    messages: list[CaseMessage]


def case_names() -> list[str]:
    return sorted(p.name for p in CASES_DIR.iterdir() if (p / "case.json").exists())


def load_case(name: str) -> AcceptanceCase:
    folder = CASES_DIR / name
    meta = json.loads((folder / "case.json").read_text(encoding="utf-8"))
    messages = []
    for line in (folder / "messages.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        if "body_raw" in record:
            body = record["body_raw"].encode("utf-8")
        else:
            body = json.dumps(record["body"], separators=(",", ":"),
                              ensure_ascii=False).encode("utf-8")
        messages.append(CaseMessage(record["queue"], record["headers"], body,
                                    record.get("expect", "ack")))
    return AcceptanceCase(name, folder, meta, messages)


def written_files(case: AcceptanceCase) -> list[str]:
    """Relative paths (under the extraction root) of the files the outcomes say were written."""
    paths = []
    for message in case.messages:
        body = json.loads(message.body)
        status = body.get("Status")
        directory = body.get("ExtractionDirectory")
        if message.queue == "VerificationStatusOptions" and status in (2, 3):
            paths.append(f"{directory}/{body['OutputFilePath']}")
        if message.queue == "NoVerifyStatusOptions" and status == 4:
            paths.append(f"{directory}/{body['OutputFilePath']}")
    return paths


def create_written_files(case: AcceptanceCase, extract_root: Path) -> None:
    for relative in written_files(case):
        path = extract_root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()


def publish(channel, queue_name: str, headers: dict, body: bytes) -> None:
    properties = pika.BasicProperties(
        content_type="application/json", content_encoding="UTF-8", delivery_mode=2,
        headers=headers,
    )
    channel.basic_publish(exchange="", routing_key=queue_name, body=body, properties=properties)


def publish_case(case: AcceptanceCase, environment) -> None:
    """Set up the protocol of the acceptance README for `case` in a test environment: its
    ReportNewLine configured, its written files on disk, every message on its queue."""
    document = yaml.safe_load(environment.config_path.read_text())
    document["CohortPackagerOptions"]["ReportNewLine"] = case.meta["report_newline"]
    environment.config_path.write_text(yaml.safe_dump(document))
    create_written_files(case, environment.extract_root)
    environment.declare_queues()
    connection, channel = environment.channel()
    try:
        for message in case.messages:
            publish(channel, environment.queue_names[message.queue], message.headers,
                    message.body)
    finally:
        connection.close()
