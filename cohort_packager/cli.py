"""Operator commands: check the set-up, list jobs and rejected messages, stop the embedded store.

    python -m cohort_packager.cli check
    python -m cohort_packager.cli jobs
    python -m cohort_packager.cli rejected [--limit N]
    python -m cohort_packager.cli stop-embedded-mongo
"""

from __future__ import annotations

import argparse
import sys

from pymongo.errors import PyMongoError

from cohort_packager.config import ConfigError, Settings, load_settings
from cohort_packager.ingest.consumer import BrokerUnavailable, ensure_queues, open_connection
from cohort_packager.store.connection import open_database
from cohort_packager.store.embedded import default_data_directory, stop_embedded_server
from cohort_packager.store.extraction_store import ExtractionStore


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cohort_packager.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="check the configuration, MongoDB and RabbitMQ")
    commands.add_parser("jobs", help="list the jobs still waiting, and on what")
    rejected = commands.add_parser("rejected", help="list rejected messages and why")
    rejected.add_argument("--limit", type=int, default=50)
    commands.add_parser("stop-embedded-mongo", help="stop the embedded MongoDB server")
    args = parser.parse_args(argv)

    try:
        settings = load_settings()
        if args.command == "stop-embedded-mongo":
            return _stop_embedded(settings)
        client, database = open_database(settings.mongo)
        with client:
            store = ExtractionStore(database)
            if args.command == "check":
                return _check(settings, store)
            if args.command == "jobs":
                return _list_jobs(store)
            return _list_rejected(store, args.limit)
    except (ConfigError, BrokerUnavailable) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except PyMongoError as error:
        print(f"error: MongoDB is unreachable or refused the request: {error}", file=sys.stderr)
        return 1


def _check(settings: Settings, store: ExtractionStore) -> int:
    store.create_indexes()
    print(f"configuration: {settings.source}")
    print(f"MongoDB: database {store.database.name!r} reachable, indexes in place")
    connection = open_connection(settings.rabbit)
    try:
        ensure_queues(connection, settings.packager)
    finally:
        connection.close()
    queues = ", ".join(q.queue_name for q in settings.packager.queues.values())
    print(f"RabbitMQ: {settings.rabbit.host}:{settings.rabbit.port} reachable; queues {queues}")
    print(f"extraction root: {settings.extract_root}")
    return 0


def _list_jobs(store: ExtractionStore) -> int:
    jobs = store.jobs_in_progress()
    if not jobs:
        print("no jobs in progress")
    for job in jobs:
        progress = job.get("progress") or {}
        state = "stalled" if progress.get("stalled") else job.get("jobStatus", "?")
        waiting = progress.get("waitingOn", "a first check")
        print(f"{job['_id']}  {state:<24}  waiting on {waiting}")
    return 0


def _list_rejected(store: ExtractionStore, limit: int) -> int:
    rejected = store.rejected_messages(limit)
    if not rejected:
        print("no rejected messages")
    for message in rejected:
        when = message["rejectedAt"].strftime("%Y-%m-%dT%H:%M:%S")
        print(f"{when}  {message['queueName']}  {message['_id'][:12]}  {message['reason']}")
    return 0


def _stop_embedded(settings: Settings) -> int:
    if not settings.mongo.is_embedded:
        return 0
    data_dir = settings.mongo.embedded_data_directory or default_data_directory()
    if stop_embedded_server(data_dir):
        print(f"stopped the embedded MongoDB server of {data_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
