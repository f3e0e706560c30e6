"""Ingest throughput: drain a backlog of file status and verification messages into MongoDB.

Publishes `--messages` valid outcome messages (spread over `--jobs` jobs) to fresh queues on the
local broker, then drains them with successive `drain_queues` calls, one per ingest sensor tick,
and reports messages stored per second (T) and the peak RSS of this process while draining.
The same backlog (or its first `--baseline-messages`), published again to other fresh queues,
is then drained as the SMI CohortPackager does (the baseline, B): prefetch 1, and per message a
parse, one journaled `insert_one` and one `basic_ack`. Exits 1 when either side stored other
than one document per message. The last line of output is JSON with T, B, their ratio, the
message count and the peak RSS in MB.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import common  # noqa: F401  (first: puts the project on the path)
import pika
import yaml
from common import (
    PeakRss,
    Stopwatch,
    broker_channel,
    declare_queues,
    delete_queues,
    failure_report,
    fresh_store,
    mongo_server,
    print_result,
    queue_depths,
    queue_names,
    unique_token,
)

from cohort_packager.config import Settings, load_settings
from cohort_packager.ingest.batch import ArrivalClock
from cohort_packager.ingest.consumer import drain_queues
from cohort_packager.messages import parse_body, parse_header
from cohort_packager.store import documents
from cohort_packager.store.extraction_store import ExtractionStore

NO_VERIFY = "NoVerifyStatusOptions"
VERIFICATION = "VerificationStatusOptions"
PUBLISH_TIMESTAMP = 1709285400
EMPTY_TICKS_ALLOWED = 3


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    token = unique_token()
    ours, theirs = queue_names(token, "ours"), queue_names(token, "baseline")
    seed = random.Random(args.seed).getrandbits(96) << 32

    with mongo_server() as uri, tempfile.TemporaryDirectory(prefix="cohort-bench-") as work:
        try:
            stored, throughput, peak_mb = _measure_ours(args, uri, token, ours, seed, Path(work))
            baseline_stored, baseline = _measure_baseline(args, uri, token, theirs, seed)
            expected_baseline = args.baseline_messages
        finally:
            delete_queues([*ours.values(), *theirs.values()])

    print(f"peak RSS while draining: {peak_mb:.0f} MB; lifetime max RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print(f"ours {throughput:,.0f} msgs/s, baseline {baseline:,.0f} msgs/s, "
          f"ratio {throughput / baseline:.1f}")
    ok = stored == args.messages and baseline_stored == expected_baseline
    if not ok:
        print(f"FAILED: expected {args.messages} documents (ours) and {expected_baseline} "
              f"(baseline), found {stored} and {baseline_stored}", file=sys.stderr)
    print_result({"throughput_per_s": round(throughput, 1), "baseline_per_s": round(baseline, 1),
                  "ratio": round(throughput / baseline, 2), "messages": args.messages,
                  "peak_rss_mb": round(peak_mb)})
    return 0 if ok else 1


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=100_000, help="backlog size")
    parser.add_argument("--baseline-messages", type=int, default=None,
                        help="backlog size of the baseline (default: --messages); the "
                             "baseline is slow, so a smaller one keeps large runs short")
    parser.add_argument("--jobs", type=int, default=4, help="jobs the messages belong to")
    parser.add_argument("--seed", type=int, default=7, help="seed of the message GUIDs")
    parser.add_argument("--lenient-share", type=float, default=0.0,
                        help="share of IsIdentifiable reports written with single quotes")
    args = parser.parse_args(argv)
    args.baseline_messages = args.baseline_messages or args.messages
    if args.messages < 1 or args.jobs < 1 or args.baseline_messages < 1:
        parser.error("--messages, --baseline-messages and --jobs must be at least 1")
    if not 0 <= args.lenient_share <= 1:
        parser.error("--lenient-share must be between 0 and 1")
    return args


def _measure_ours(args, uri: str, token: str, names: dict[str, str], seed: int,
                  work: Path) -> tuple[int, float, float]:
    """Drain through the ingest sensor's code path; returns (stored, msgs/s, peak RSS MB)."""
    settings = _settings(work, uri, f"bench_{token}_ours", names)
    _publish(names, args, seed)

    with fresh_store(uri, f"bench_{token}_ours") as store:
        clock = ArrivalClock()
        ticks = empty_ticks = 0
        with PeakRss() as rss, Stopwatch() as watch:
            while any(queue_depths(names.values()).values()):
                report = drain_queues(settings.rabbit, settings.packager, store, clock)
                ticks += 1
                print(f"  tick {ticks}: {report.summary()}", flush=True)
                empty_ticks = 0 if report.total else empty_ticks + 1
                if empty_ticks >= EMPTY_TICKS_ALLOWED:
                    print("the queues hold messages but ticks take none", file=sys.stderr)
                    break
        stored = store.outcomes.count_documents({})
        rejected = store.rejected.count_documents({})

    throughput = stored / watch.seconds
    print(f"ours: {stored:,} stored, {rejected:,} rejected in {ticks} ticks, "
          f"{watch.seconds:.1f} s -> {throughput:,.0f} msgs/s; peak RSS {rss.peak_mb:.0f} MB",
          flush=True)
    return stored - rejected, throughput, rss.peak_mb


def _measure_baseline(args, uri: str, token: str, names: dict[str, str],
                      seed: int) -> tuple[int, float]:
    """Drain one message at a time as the SMI CohortPackager does; returns (stored, msgs/s)."""
    _publish(names, args, seed, args.baseline_messages)
    with fresh_store(uri, f"bench_{token}_baseline", indexed=False) as store:
        with Stopwatch() as watch:
            _consume_one_by_one(names, store, args.baseline_messages)
        stored = store.outcomes.count_documents({})
    rate = stored / watch.seconds
    print(f"baseline: {stored:,} stored in {watch.seconds:.1f} s -> {rate:,.0f} msgs/s",
          flush=True)
    return stored, rate


def _consume_one_by_one(names: dict[str, str], store: ExtractionStore, expected: int) -> None:
    taken = 0

    def consumer(queue: str):
        def on_message(channel, method, properties, body):
            nonlocal taken
            header = parse_header(properties.headers)
            message = parse_body(queue, body, properties.content_encoding)
            header_doc = documents.header_document(header, message.job_id, _now())
            store.outcomes.insert_one(
                documents.outcome_document(message, header_doc, queue, taken))
            channel.basic_ack(method.delivery_tag)
            taken += 1
        return on_message

    with broker_channel() as channel:
        connection = channel.connection
        for queue in (NO_VERIFY, VERIFICATION):
            queue_channel = connection.channel()
            queue_channel.basic_qos(prefetch_count=1)
            queue_channel.basic_consume(names[queue], consumer(queue))
        idle = 0
        while taken < expected and idle < 50:
            before = taken
            connection.process_data_events(time_limit=0.1)
            idle = 0 if taken > before else idle + 1


def _settings(work: Path, uri: str, database: str, names: dict[str, str]) -> Settings:
    """The service's configuration for this run: default ingest budgets, our queues and store."""
    packager = {key: {"QueueName": name, "AutoAck": False} for key, name in names.items()}
    document = {
        "CohortPackagerOptions": packager,
        "RabbitOptions": {"RabbitMqHostName": "127.0.0.1", "RabbitMqHostPort": 5672},
        "MongoDatabases": {"ExtractionStoreOptions": {"ConnectionString": uri,
                                                      "DatabaseName": database}},
        "FileSystemOptions": {"ExtractRoot": str(work / "extract")},
    }
    path = work / f"{database}.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return load_settings(path)


def _publish(names: dict[str, str], args: argparse.Namespace, seed: int,
             count: int | None = None) -> None:
    declare_queues(names.values())
    count = count or args.messages
    with Stopwatch() as watch, broker_channel() as channel:
        for queue, headers, body in _backlog(count, args.jobs, seed, args.lenient_share):
            properties = pika.BasicProperties(
                content_type="application/json", content_encoding="UTF-8", delivery_mode=2,
                headers=headers)
            channel.basic_publish("", names[queue], body, properties)
    print(f"published {count:,} messages in {watch.seconds:.1f} s "
          f"({count / watch.seconds:,.0f}/s)", flush=True)


def _backlog(count: int, jobs: int, seed: int,
             lenient_share: float) -> Iterator[tuple[str, dict, bytes]]:
    """The same `count` outcome messages for the same seed: mostly clean verifications, some
    flagged by IsIdentifiable, some anonymisation failures that are not verified."""
    job_ids = [str(uuid.UUID(int=seed ^ (0xB0B << 20) ^ job, version=4)) for job in range(jobs)]
    for index in range(count):
        job = index % jobs
        common_fields = {
            "ExtractionJobIdentifier": job_ids[job], "ProjectNumber": "PRJ042",
            "ExtractionDirectory": f"PRJ042/extractions/bench-{job}", "Modality": "CT",
            "JobSubmittedAt": "2024-03-01T09:30:00Z", "IsIdentifiableExtraction": False,
            "IsNoFilterExtraction": False, "IsPooledExtraction": False,
        }
        source = f"2019/{job}/s{index // 100}/{index:07d}.dcm"
        output = f"S{index // 100}/img-{index:07d}-an.dcm"
        if index % 50 == 7:
            queue, producer = NO_VERIFY, "DicomAnonymiser"
            body = {**common_fields, "DicomFilePath": source, "Status": 2,
                    "OutputFilePath": None,
                    "StatusMessage": "Anonymiser exited with code 1: pixel data not decoded"}
        else:
            queue, producer = VERIFICATION, "IsIdentifiable"
            flagged = index % 10 == 3
            report = failure_report(index, output, lenient_share) if flagged else "[]"
            body = {**common_fields, "Status": 3 if flagged else 2, "Report": report,
                    "DicomFilePath": source, "OutputFilePath": output}
        headers = {
            "MessageGuid": str(uuid.UUID(int=seed | index, version=4)),
            "ProducerProcessID": 3400 + job, "ProducerExecutableName": producer,
            "OriginalPublishTimestamp": PUBLISH_TIMESTAMP, "Parents": "",
        }
        yield queue, headers, json.dumps(body, separators=(",", ":")).encode("utf-8")


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


if __name__ == "__main__":
    sys.exit(main())
