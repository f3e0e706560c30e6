"""Open a pymongo client for the configured extraction store, starting the embedded one if asked.

`COHORT_PACKAGER_MONGO_URI`, when set, overrides the configuration: it lets the same test suite
run against a real mongod.
"""

from __future__ import annotations

import logging
import os
from urllib.parse import quote_plus

from pymongo import MongoClient
from pymongo.database import Database

from cohort_packager.config import MongoOptions
from cohort_packager.store.embedded import default_data_directory, ensure_embedded_server

MONGO_URI_ENV_VAR = "COHORT_PACKAGER_MONGO_URI"
SERVER_SELECTION_TIMEOUT_MS = 10_000

# At DEBUG, pymongo logs every command and reply with its documents, which hold message
# contents (source file paths, verifier findings). A filter drops them whatever the level.
logging.getLogger("pymongo.command").addFilter(lambda record: False)


def mongo_uri(options: MongoOptions) -> str:
    """The connection string for `options`; for the embedded store this starts the server."""
    override = os.environ.get(MONGO_URI_ENV_VAR, "").strip()
    if override:
        return override
    if options.connection_string:
        return options.connection_string
    if options.is_embedded:
        data_dir = options.embedded_data_directory or default_data_directory()
        return ensure_embedded_server(data_dir).uri
    credentials = ""
    if options.user_name:
        credentials = f"{quote_plus(options.user_name)}:{quote_plus(options.password)}@"
    return f"mongodb://{credentials}{options.host}:{options.port}/?authSource=admin"


def open_client(options: MongoOptions) -> MongoClient:
    """A client whose writes are journaled, so an acknowledged write survives a crash."""
    return MongoClient(
        mongo_uri(options),
        appname="cohort-packager",
        journal=True,
        w=1,
        tz_aware=False,
        serverSelectionTimeoutMS=SERVER_SELECTION_TIMEOUT_MS,
    )


def open_database(options: MongoOptions) -> tuple[MongoClient, Database]:
    client = open_client(options)
    return client, client[options.database_name]
