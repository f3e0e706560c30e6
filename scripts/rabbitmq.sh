#!/usr/bin/env bash
# Make sure a RabbitMQ broker answers on 127.0.0.1:5672, starting (and if need be installing)
# the local one. Waits until it accepts connections.
set -euo pipefail
HOST=127.0.0.1
PORT=5672

answers() { (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; }

if answers; then
  exit 0
fi
if ! command -v rabbitmq-server >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "RabbitMQ is not running on $HOST:$PORT and rabbitmq-server is not installed." >&2
    echo "Install it (Debian: sudo apt-get install rabbitmq-server) and start it with" >&2
    echo "  sudo rabbitmq-server -detached" >&2
    exit 1
  fi
  echo "Installing Debian's rabbitmq-server ..." >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server
fi
echo "Starting RabbitMQ (rabbitmq-server -detached) ..." >&2
rabbitmq-server -detached || true
for _ in $(seq 1 90); do
  if answers; then
    sleep 2
    echo "RabbitMQ is accepting connections on $HOST:$PORT" >&2
    exit 0
  fi
  sleep 1
done
echo "RabbitMQ did not start within 90 s; see /var/log/rabbitmq/ for its logs." >&2
exit 1
