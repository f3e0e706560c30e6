#!/usr/bin/env bash
# Install cohort-packager and start the service: the Dagster UI (port 3000) and the daemon,
# whose sensors ingest the queues and build reports. Uses the embedded MongoDB unless the
# configuration (COHORT_PACKAGER_CONFIG) names a server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
if ! (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null && [ -z "${COHORT_PACKAGER_CONFIG:-}" ]; then
  bash scripts/rabbitmq.sh
fi
export DAGSTER_HOME=${DAGSTER_HOME:-$PWD/.dagster_home}
mkdir -p "$DAGSTER_HOME"
[ -f "$DAGSTER_HOME/dagster.yaml" ] || cp dagster.yaml "$DAGSTER_HOME/dagster.yaml"
.venv/bin/python -m cohort_packager.cli check
trap '.venv/bin/python -m cohort_packager.cli stop-embedded-mongo' EXIT
.venv/bin/dagster dev -w workspace.yaml -h "${HOST:-127.0.0.1}" -p "${PORT:-3000}"
