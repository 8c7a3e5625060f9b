"""Load benchmark of the buyer's pages: "my orders" and the dispute page, under gunicorn on PostgreSQL.

    .venv/bin/python bench/load_web.py [--orders 100000] [--workers 4] [--duration 20] [--reset]

What it does:

1. Database ``arb_bench_web`` (``--db``) on the local PostgreSQL: created, migrated, seeded with
   ``seed_demo`` and ``bench/generate.py --orders N`` (COPY; buyers with ~20 orders each, 20 % of
   orders disputed, in every state) unless it already holds the orders. ``--reset`` starts over.
2. Fifty buyers who have a dispute get a password; each is one "user" of the load test.
3. gunicorn serves ``config.wsgi`` with production settings (DEBUG off, Redis cache when
   ``REDIS_URL`` is set), ``--workers`` sync workers.
4. Each user signs in through the real sign-in form (CSRF token, rate limiter and all) and keeps
   its session cookie.
5. ``wrk`` (``apt-get install -y wrk``) drives 50 connections, one per user, each asking for its
   own pages:

   * **saturation** — closed loop, no pause between requests: the most requests per second
     the server gives, and the latency at that load (mostly queueing: with 50 requests in
     flight, mean latency = 50 / throughput, Little's law);
   * **paced at the target** — the same 50 users, each pausing between requests so that
     together they ask for 300 requests per second (open-ish load): the latency a person sees
     when the site carries 300 req/s.

Targets (issue 7): ≥ 300 req/s, p95 ≤ 100 ms at 50 concurrent users. Figures are printed with
their ratio to the target, never asserted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PASSWORD = "bench-password-2026"
TARGET_RPS, TARGET_P95_MS = 300, 100

LUA = r"""
-- One connection per user: each connection asks only for its own user's pages.
local users = {}
local counter = 0
local paced_delay = tonumber(os.getenv("PACED_DELAY_MS") or "0")

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  for line in io.lines(os.getenv("USERS_FILE")) do
    local cookie, path = line:match("([^\t]+)\t([^\t]+)")
    table.insert(users, {cookie = cookie, path = path})
  end
  n = 0
end

function request()
  -- Threads share out the users: thread i takes users i, i + threads, ...
  local index = ((n * tonumber(os.getenv("WRK_THREADS")) + id) % #users) + 1
  n = n + 1
  local user = users[index]
  -- gunicorn's sync workers close every connection after the response: say so, or wrk waits.
  return wrk.format("GET", user.path, {["Cookie"] = user.cookie, ["Host"] = "127.0.0.1",
                                       ["Connection"] = os.getenv("WRK_CONNECTION")})
end

function delay()
  if paced_delay > 0 then
    return math.random(math.floor(paced_delay * 0.5), math.floor(paced_delay * 1.5))
  end
  return 0
end

function done(summary, latency, requests)
  local out = io.open(os.getenv("RESULT_FILE"), "w")
  out:write(string.format(
    '{"requests": %d, "duration_us": %d, "non2xx": %d, "errors": %d, "timeouts": %d, ' ..
    '"p50": %d, "p95": %d, "p99": %d, "max": %d, "mean": %f}',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write, summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
  out:close()
end
"""


def run(cmd: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=env, cwd=ROOT, check=True, **kwargs)


def psql(sql: str, *, db: str = "postgres") -> str:
    return subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-Atqc", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def prepare_database(args, env: dict) -> None:
    if args.reset:
        psql(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
    if not psql(f"SELECT 1 FROM pg_database WHERE datname = '{args.db}'"):
        psql(f'CREATE DATABASE "{args.db}"')
    print(f"database {args.db}: migrating …", flush=True)
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
    run([PYTHON, "manage.py", "seed_demo"], {**env, "DJANGO_DEBUG": "true"}, stdout=subprocess.DEVNULL)
    orders = int(psql("SELECT count(*) FROM marketplace_order", db=args.db))
    if orders < args.orders:
        print(f"generating {args.orders:,} orders (bench/generate.py) …", flush=True)
        run([PYTHON, "bench/generate.py", "--orders", str(args.orders)], env)
    psql("ANALYZE", db=args.db)


def choose_users(args, env: dict) -> list[dict]:
    """Fifty buyers with at least one dispute, given a password; their dispute ids."""
    code = f"""
import json
from django.contrib.auth.hashers import make_password
from arbitration.models import Dispute
from marketplace.models import User
ids = list(Dispute.objects.filter(buyer__username__startswith="bench-buyer-")
           .order_by("buyer_id").values_list("buyer_id", flat=True).distinct()[:{args.users}])
User.objects.filter(pk__in=ids).update(password=make_password({PASSWORD!r}))
out = []
for user in User.objects.filter(pk__in=ids).order_by("pk"):
    dispute = Dispute.objects.filter(buyer=user).order_by("-opened_at").first()
    orders = user.purchases.count()
    out.append({{"username": user.username, "dispute": dispute.pk, "orders": orders}})
print(json.dumps(out))
"""
    result = run([PYTHON, "manage.py", "shell", "-c", code], env, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(args, env: dict, port: int) -> subprocess.Popen:
    cmd = [
        GUNICORN,
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        args.worker_class,
        "--log-level",
        "warning",
        "--backlog",
        "512",
    ]
    if args.worker_class == "gthread":
        cmd += ["--threads", str(args.threads)]
    process = subprocess.Popen(cmd, env=env, cwd=ROOT, start_new_session=True)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("gunicorn did not start")


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    jar = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def sign_in(port: int, username: str) -> str:
    """Through the real sign-in form: GET for the CSRF token, POST the credentials."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/accounts/login/", headers={"Host": "127.0.0.1"})
    response = conn.getresponse()
    body = response.read().decode()
    jar = _cookies(response)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(
        "POST",
        "/accounts/login/",
        body=urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}),
        headers={
            "Host": "127.0.0.1",
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={jar['csrftoken']}",
            "Referer": f"http://127.0.0.1:{port}/accounts/login/",
        },
    )
    response = conn.getresponse()
    response.read()
    session = _cookies(response).get("sessionid")
    if response.status != 302 or not session:
        raise SystemExit(f"signing in {username} failed: HTTP {response.status}")
    return f"sessionid={session}; csrftoken={jar['csrftoken']}; django_language=en"


def check_page(port: int, cookie: str, path: str, expect: str) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Host": "127.0.0.1", "Cookie": cookie})
    response = conn.getresponse()
    body = response.read().decode()
    if response.status != 200 or expect not in body:
        raise SystemExit(f"{path} answered {response.status} without {expect!r}: the benchmark would be void")


def wrk(
    port: int,
    lines: list[str],
    *,
    connections: int,
    duration: int,
    threads: int,
    delay_ms: float,
    connection: str = "close",
) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        users_file, script, result = (
            Path(folder) / "users.tsv",
            Path(folder) / "load.lua",
            Path(folder) / "r.json",
        )
        users_file.write_text("\n".join(lines) + "\n")
        script.write_text(LUA)
        env = {
            **os.environ,
            "USERS_FILE": str(users_file),
            "RESULT_FILE": str(result),
            "WRK_THREADS": str(threads),
            "PACED_DELAY_MS": str(delay_ms),
            "WRK_CONNECTION": connection,
        }
        subprocess.run(
            [
                "wrk",
                "-t",
                str(threads),
                "-c",
                str(connections),
                "-d",
                f"{duration}s",
                "--timeout",
                "10s",
                "-s",
                str(script),
                f"http://127.0.0.1:{port}",
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        data = json.loads(result.read_text())
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    return data


def workers_cpu_seconds(master_pid: int) -> float:
    """CPU time (user + system) the gunicorn workers have used so far, from /proc."""
    children = subprocess.run(["pgrep", "-P", str(master_pid)], capture_output=True, text=True).stdout.split()
    ticks = 0
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def report(name: str, data: dict) -> None:
    ms = {k: data[k] / 1000 for k in ("p50", "p95", "p99", "max")}
    ok = data["rps"] >= TARGET_RPS and ms["p95"] <= TARGET_P95_MS
    print(
        f"  {name:<34} {data['rps']:7.1f} req/s ({data['rps'] / TARGET_RPS:4.2f}× target)   "
        f"p50 {ms['p50']:6.1f} ms   p95 {ms['p95']:6.1f} ms ({ms['p95'] / TARGET_P95_MS:4.2f}× limit)   "
        f"p99 {ms['p99']:6.1f} ms   errors {data['errors'] + data['non2xx'] + data['timeouts']}"
        f"   {'meets target' if ok else 'below target'}"
    )
    if data.get("cpu_ms"):
        print(
            f"  {'':<34} server CPU {data['cpu_ms']:.1f} ms per request → at most "
            f"{1000 / data['cpu_ms']:.0f} req/s per CPU core given to the workers"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="arb_bench_web")
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--workers", type=int, default=max(2, (os.cpu_count() or 2) * 2))
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--reset", action="store_true", help="drop and rebuild the database")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install -y wrk")

    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.db}",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECURE_SSL_REDIRECT": "false",  # plain HTTP on localhost; TLS is the proxy's job
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECRET_KEY": "bench-" + "x" * 50,
        "LOG_LEVEL": "WARNING",
    }
    prepare_database(args, env)
    users = choose_users(args, env)
    print(
        f"{len(users)} users, each a buyer with {min(u['orders'] for u in users)}–"
        f"{max(u['orders'] for u in users)} orders and a dispute",
        flush=True,
    )

    port = free_port()
    server = start_gunicorn(args, env, port)
    try:
        cookies = [sign_in(port, user["username"]) for user in users]
        check_page(port, cookies[0], "/orders/", "My orders")
        check_page(port, cookies[0], f"/disputes/{users[0]['dispute']}/", "Dispute:")
        scenarios = {
            "order list (/orders/)": [f"{c}\t/orders/" for c in cookies],
            "dispute page (/disputes/<id>/)": [
                f"{c}\t/disputes/{u['dispute']}/" for c, u in zip(cookies, users, strict=True)
            ],
        }
        load = os.getloadavg()[0]
        print(
            f"\nmachine: {os.cpu_count()} CPUs, load average {load:.1f} before the run (other processes "
            "share the CPUs; requests/s scale with the CPU the workers get)"
        )
        print(
            f"gunicorn {args.workers} {args.worker_class} workers on {os.cpu_count()} CPUs, PostgreSQL "
            f"{args.db}, cache {'Redis' if os.environ.get('REDIS_URL') else 'local memory'}; wrk "
            f"{args.wrk_threads} threads, {len(users)} connections (one per signed-in user), "
            f"{args.duration} s"
        )
        keep = "keep-alive" if args.worker_class == "gthread" else "close"
        for name, lines in scenarios.items():
            wrk(
                port,
                lines,
                connections=len(users),
                duration=3,
                threads=args.wrk_threads,
                delay_ms=0,
                connection=keep,
            )  # warm-up
            cpu_before = workers_cpu_seconds(server.pid)
            saturated = wrk(
                port,
                lines,
                connections=len(users),
                duration=args.duration,
                threads=args.wrk_threads,
                delay_ms=0,
                connection=keep,
            )
            saturated["cpu_ms"] = (
                (workers_cpu_seconds(server.pid) - cpu_before) / max(1, saturated["requests"]) * 1000
            )
            # Each user pauses so that together they ask for TARGET_RPS (minus the time a response takes).
            delay = max(1.0, len(users) / TARGET_RPS * 1000 - saturated["p50"] / 1000)
            paced = wrk(
                port,
                lines,
                connections=len(users),
                duration=args.duration,
                threads=args.wrk_threads,
                delay_ms=delay,
                connection=keep,
            )
            print(f"\n{name}")
            report("saturation (no pauses)", saturated)
            report(f"paced (~{TARGET_RPS} req/s offered)", paced)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print(f"\ntarget: ≥ {TARGET_RPS} req/s with p95 ≤ {TARGET_P95_MS} ms")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
