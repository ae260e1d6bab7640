"""Load benchmark: officials at once against gunicorn on loopback (not a test; nothing asserts).

    .venv/bin/pip install -e ".[bench]"       # locust
    .venv/bin/python bench/fill.py --url URL --force
    .venv/bin/python bench/load_bench.py --url URL [--workers 2] [--threads 4] [--duration 60] [--quick]

Starts ``schemeflow serve --server gunicorn`` against the filled database at URL (SQLite file or
PostgreSQL), then runs locust headless (bench/locustfile.py) twice:

(a) an office day: 100 officials, think time exponential with mean 2 s;
(b) capacity: 20 officials, no think time;

each official signed in as its own user (city users with their pilot, provincial reviewers with
their province, national reviewers), the mix inbox 50 % / task page 25 % / completion 15 % (real
completions through the HTML form) / pilot page 5 % / dashboard 5 %. Prints per request kind the
count, p50 / p95 / p99 (locust's percentiles: exact below 100 ms, rounded to 10 ms above, to
100 ms above 1 s), throughput, errors and 409 conflicts apart; then each gunicorn worker's RSS.
Traffic goes to 127.0.0.1 only, for a bounded time.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine  # noqa: E402
from sqlalchemy import select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from engine import models  # noqa: E402

BENCH = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
MIX = ("inbox", "task page", "completion: form", "completion", "completion: 409 conflict", "pilot page", "dashboard")


def accounts(url: str, n: int, rng: random.Random) -> list[dict[str, Any]]:
    """n officials, each its own user: national reviewers, then provincial reviewers and city users
    in turn (each province's reviewers spread over the run, so colleagues share a group inbox)."""
    eng = create_engine(url)
    u, p = models.User, models.Pilot
    with eng.connect() as conn:
        pilots: dict[int, list[int]] = {}
        for pid, province in conn.execute(select(p.id, p.province_id)):
            pilots.setdefault(province, []).append(pid)
        rows = conn.execute(select(u.username, u.role, u.province_id, u.pilot_id).where(
            u.active.is_(True), u.role.in_([models.Role.CITY, models.Role.PROVINCE, models.Role.MINISTRY]))
            .order_by(u.id)).all()
    eng.dispose()
    every = [pid for ids in pilots.values() for pid in ids]
    city = [{"username": r.username, "role": "city", "pilots": [r.pilot_id]}
            for r in rows if r.role == models.Role.CITY]
    province = [{"username": r.username, "role": "province", "pilots": pilots.get(r.province_id, [])}
                for r in rows if r.role == models.Role.PROVINCE]
    national = [{"username": r.username, "role": "ministry", "pilots": rng.sample(every, min(20, len(every)))}
                for r in rows if r.role == models.Role.MINISTRY]
    rng.shuffle(city)
    rng.shuffle(province)
    chosen = national[: n // 30]  # one national reviewer per 30 officials
    for a, b in zip(province, city, strict=False):
        chosen += [a, b]
    return chosen[:n]


class Server:
    """``schemeflow serve --server gunicorn`` in the background (its process is gunicorn's master)."""

    def __init__(self, url: str, port: int, workers: int, threads: int, log: Path) -> None:
        env = dict(os.environ, DATABASE_URL=url, SECRET_KEY=secrets.token_hex(32), SCHEMEFLOW_SECURE_COOKIES="0",
                   SCHEMEFLOW_ATTACHMENTS=str(_attachments(url)))
        self.url = f"http://127.0.0.1:{port}"
        self.log = log.open("w")
        self.proc = subprocess.Popen(
            [str(BIN / "schemeflow"), "serve", "--server", "gunicorn", "--workers", str(workers), "--threads",
             str(threads), "--port", str(port), "--no-worker"], env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/login", timeout=5) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise SystemExit(f"the server did not answer within 90 s (see {log})")

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(c) for c in children.read_text().split()] if children.exists() else []

    def memory(self) -> dict[int, float]:
        """RSS in MiB of each worker process."""
        out = {}
        for pid in self.workers():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    out[pid] = int(line.split()[1]) / 1024
        return out

    def cpu_seconds(self) -> float:
        tick = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for pid in self.workers():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        return total

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def _attachments(url: str) -> Path:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return Path(parsed.database).parent / "attachments"
    return Path("instance/attachments").resolve()


def run_scenario(server: Server, name: str, users: list[dict[str, Any]], *, think: float, seconds: int,
                 work: Path) -> dict[str, Any]:
    (work / f"{name}-accounts.json").write_text(json.dumps(users, ensure_ascii=False), encoding="utf-8")
    prefix, counts = work / name, work / f"{name}-skipped.json"
    env = dict(os.environ, SF_ACCOUNTS=str(work / f"{name}-accounts.json"), SF_THINK=str(think), SF_OUT=str(counts),
               SF_USERS=str(len(users)), SF_SECONDS=str(seconds))
    cpu0, t0 = server.cpu_seconds(), time.monotonic()
    before = os.times()
    subprocess.run([str(BIN / "locust"), "-f", str(BENCH / "locustfile.py"), "--headless", "-u", str(len(users)),
                    "-r", str(max(10, len(users) // 2)), "-t", f"{seconds + 300}s", "--host", server.url, "--csv",
                    str(prefix), "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING"],
                   env=env, check=False, stdout=subprocess.DEVNULL, stderr=(work / f"{name}-locust.log").open("w"))
    after = os.times()
    client_cpu = (after.children_user + after.children_system) - (before.children_user + before.children_system)
    wall = time.monotonic() - t0
    stats = {r["Name"]: r for r in csv.DictReader((work / f"{name}_stats.csv").open(encoding="utf-8"))}
    failures = list(csv.DictReader((work / f"{name}_failures.csv").open(encoding="utf-8")))
    extra = json.loads(counts.read_text()) if counts.exists() else {}
    return {"stats": stats, "failures": failures, "skipped": extra.get("skipped", {}), "wall": wall,
            "seconds": extra.get("window") or seconds, "sign_in": extra.get("sign_in", {}),
            "server_cpu": server.cpu_seconds() - cpu0,
            "client_cpu": client_cpu,
            "memory": server.memory()}


def show(title: str, result: dict[str, Any]) -> None:
    stats, seconds = result["stats"], result["seconds"]
    print(f"\n{title}")
    print(f"  {'request':<26} {'count':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7} {'req/s':>7} {'errors':>6}")
    for kind, row in result["sign_in"].items():
        if kind.startswith("sign in"):
            print(f"  {kind + ' (before)':<26} {row['count']:>7} {row['p50']:>5}ms {row['p95']:>5}ms "
                  f"{'':>7} {'':>7} {'':>7} {row['failures']:>6}")
    for kind in MIX:
        row = stats.get(kind)
        if row is None:
            continue
        print(f"  {kind:<26} {int(row['Request Count']):>7} {row['50%']:>5}ms {row['95%']:>5}ms {row['99%']:>5}ms "
              f"{float(row['Max Response Time']):>5.0f}ms {float(row['Request Count']) / seconds:>7.1f} "
              f"{int(row['Failure Count']):>6}")
    mix = [stats[k] for k in MIX if k in stats]
    total = sum(int(r["Request Count"]) for r in mix)
    errors = sum(int(r["Failure Count"]) for r in stats.values() if r["Name"] != "Aggregated") + sum(
        r["failures"] for r in result["sign_in"].values())
    conflicts = int(stats.get("completion: 409 conflict", {}).get("Request Count", 0))
    print(f"  throughput {total / seconds:.1f} requests/s over {seconds:.0f} s (after every sign-in); "
          f"errors {errors}; 409 conflicts {conflicts}")
    for f in result["failures"]:
        print(f"    error: {f['Name']}: {f['Error']} ×{f['Occurrences']}")
    for why, n in result["skipped"].items():
        print(f"    skipped {n}× — {why}")
    print(f"  CPU: server workers {result['server_cpu']:.0f} s, load generator {result['client_cpu']:.0f} s "
          f"in {result['wall']:.0f} s (2 cores)")
    print("  RSS per gunicorn worker after the load: "
          + ", ".join(f"{mib:.0f} MiB" for mib in sorted(result["memory"].values())))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", required=True, help="a database filled by bench/fill.py")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (gthread)")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--duration", type=int, default=60, help="seconds per scenario (default 60)")
    p.add_argument("--quick", action="store_true", help="10 s per scenario (a smoke run)")
    p.add_argument("--scenario", choices=("office", "capacity", "both", "single"), default="both",
                   help="both: (a) then (b); single: one official, no think time")
    p.add_argument("--office-users", type=int, default=100)
    p.add_argument("--capacity-users", type=int, default=20)
    p.add_argument("--think", type=float, default=2.0, help="mean think time of the office day, seconds")
    args = p.parse_args()
    seconds = 10 if args.quick else args.duration
    rng = random.Random(10)
    work = Path(tempfile.mkdtemp(prefix="schemeflow-load-"))
    print(f"database {make_url(args.url).render_as_string(hide_password=True)}; gunicorn {args.workers} workers × "
          f"{args.threads} threads; {seconds} s per scenario; locust {_version()}; logs in {work}")
    plan = {"single": [("single", 1, 0.0)], "office": [("office", args.office_users, args.think)],
            "capacity": [("capacity", args.capacity_users, 0.0)]}
    plan["both"] = plan["office"] + plan["capacity"]
    titles = {"single": "one official at a time, no think time (what each request costs unqueued)",
              "office": f"(a) office day: {{n}} officials, think time exponential, mean {args.think:g} s",
              "capacity": "(b) capacity: {n} officials, no think time"}
    for name, n, think in plan[args.scenario]:
        # A server of its own per scenario: no backlog from the one before, memory from a fresh start.
        server = Server(args.url, args.port, args.workers, args.threads, work / f"{name}-server.log")
        try:
            at_start = sorted(server.memory().values())
            users = accounts(args.url, n, rng)
            result = run_scenario(server, name, users, think=think, seconds=seconds, work=work)
            show(titles[name].format(n=len(users)) + f" — load average {_load()}", result)
            print("  RSS per gunicorn worker at start: " + ", ".join(f"{m:.0f} MiB" for m in at_start))
        finally:
            server.stop()


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _version() -> str:
    out = subprocess.run([str(BIN / "locust"), "--version"], capture_output=True, text=True, check=False)
    return out.stdout.split()[1] if out.stdout else "?"


if __name__ == "__main__":
    main()
