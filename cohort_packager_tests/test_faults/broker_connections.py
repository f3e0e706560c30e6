"""Close chosen client connections from the broker side, as a broker restart or an operator
would, with `rabbitmqctl`. Other clients of the same broker are left alone."""

from __future__ import annotations

import subprocess

RABBITMQCTL_TIMEOUT_SECONDS = 60


def close_connections_from(client_ports: set[int], reason: str) -> int:
    """Close the broker connections whose peer port is one of `client_ports`; returns how
    many were closed."""
    listing = _rabbitmqctl("list_connections", "pid", "peer_port")
    closed = 0
    for line in listing.splitlines():
        fields = line.split("\t")
        if len(fields) == 2 and fields[1].isdigit() and int(fields[1]) in client_ports:
            _rabbitmqctl("close_connection", fields[0], reason)
            closed += 1
    return closed


def _rabbitmqctl(*arguments: str) -> str:
    result = subprocess.run(["rabbitmqctl", "--quiet", *arguments], capture_output=True,
                            text=True, timeout=RABBITMQCTL_TIMEOUT_SECONDS)
    if result.returncode != 0:
        raise AssertionError(f"rabbitmqctl {arguments[0]} failed with {result.returncode}: "
                             f"{result.stderr.strip()}")
    return result.stdout
