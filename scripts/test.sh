#!/usr/bin/env bash
# Install cohort-packager and run its test suite (pytest) against a real RabbitMQ and the
# embedded MongoDB. Set COHORT_PACKAGER_MONGO_URI to run the same suite on a real mongod.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
bash scripts/rabbitmq.sh
exec .venv/bin/python -m pytest -q "$@"
