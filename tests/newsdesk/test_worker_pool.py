"""The worker runs polls in a pool that enforces their time limits."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
# Pools that run tasks in the worker's own threads cannot interrupt them:
# Celery ignores soft and hard time limits there.
POOLS_WITHOUT_LIMITS = frozenset({"threads", "solo", "eventlet", "gevent"})


def _worker_commands() -> list[tuple[str, str]]:
    commands = []
    for name in ("Procfile", "docker-compose.yml"):
        for line in (ROOT / name).read_text().splitlines():
            if (
                "celery" in line
                and " worker" in line
                and not line.lstrip().startswith("#")
            ):
                commands.append((name, line))
    return commands


def test_every_worker_command_is_found():
    assert {name for name, _line in _worker_commands()} == {
        "Procfile",
        "docker-compose.yml",
    }


@pytest.mark.parametrize(("name", "line"), _worker_commands())
def test_worker_pool_enforces_time_limits(name, line):
    pool = re.search(r"(?:--pool[= ]|-P ?)(\w+)", line)

    # No --pool means prefork, Celery's default.
    assert pool is None or pool.group(1) not in POOLS_WITHOUT_LIMITS, line
