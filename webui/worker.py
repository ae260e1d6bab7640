"""The background worker's loop: a round of jobs every interval, a heartbeat after each round,
and a clean stop on SIGTERM or SIGINT (the round in hand finishes; each job commits per item)."""
from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import datetime
from types import FrameType

from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

import engine
from engine import health
from webui import mailer

log = logging.getLogger("schemeflow.worker")

# One round runs each job in turn; a job returns what it did (a count, or a summary that says
# so). Several workers (processes, machines) may run the same jobs: each locks its items.
JOBS: list[tuple[str, Callable[[sessionmaker[Session]], object]]] = [
    ("timers", engine.fire_due_timers),
    ("notifications", mailer.notification_round),  # deadline notices, then the mail outbox
]


def run_round(db: sessionmaker[Session]) -> dict[str, object]:
    done: dict[str, object] = {}
    for name, job in JOBS:
        try:
            done[name] = job(db)
        except Exception:  # noqa: BLE001 - one failing job must not stop the others or the loop
            log.exception("worker job %s failed", name)
            done[name] = 0
    return done


def _beat(db: sessionmaker[Session], worker: str, started: datetime) -> None:
    try:
        health.beat(db, worker, started)
    except Exception:  # noqa: BLE001 - a missed beat shows in /healthz; the work goes on
        log.exception("could not write the worker heartbeat")


def loop(db: sessionmaker[Session], interval: int, stop: threading.Event | None = None) -> None:
    """Run rounds until ``stop`` is set (a signal sets it when this is the main thread)."""
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        def _stop(signum: int, _frame: FrameType | None) -> None:
            log.info("worker stopping (%s)", signal.Signals(signum).name)
            stop.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
    worker, started = health.worker_id(), health.wall_now()
    log.info("worker %s started (every %d s)", worker, interval)
    while not stop.is_set():
        done = run_round(db)
        if any(done.values()):
            log.info("worker round: %s", ", ".join(f"{k} {v}" for k, v in done.items()))
        _beat(db, worker, started)
        stop.wait(interval)
    try:
        health.stopped(db, worker)
    except Exception:  # noqa: BLE001 - the row ages out by itself
        log.exception("could not remove the worker heartbeat")
    log.info("worker %s stopped", worker)
