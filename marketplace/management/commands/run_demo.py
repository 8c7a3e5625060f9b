"""Run the web server, a Celery worker and Celery beat together; Ctrl-C stops all three."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

DEMO_LOGINS = [
    ("arbiter", "arbiter", "Arbiter: the arbitration queue in the admin"),
    ("finance", "finance", "Finance operator: refunds and payouts in the admin"),
    ("supervisor", "supervisor", "Supervisor: reassigns cases, edits solicitation patterns"),
    ("buyer", "buyer", "Buyer with orders in every state"),
    ("buyer2", "buyer2", "Another buyer"),
    ("seller", "seller", "Seller answering disputes"),
    ("seller2", "seller2", "A seller with a solicitation flag"),
]


def _stop(signum, frame):
    raise KeyboardInterrupt


def demo_site_url(addr: str) -> str:
    """The address a person opens for ``runserver addr`` ("0.0.0.0:8000" is opened as 127.0.0.1)."""
    host, _, port = addr.rpartition(":")
    if not host:
        host, port = "127.0.0.1", addr
    if host in ("0.0.0.0", "::", "[::]"):
        host = "127.0.0.1"
    return f"http://{host}:{port}"


class Command(BaseCommand):
    help = "Start the demo: runserver, a Celery worker and Celery beat (Ctrl-C stops all)."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")

    def handle(self, *args, addr: str, **options):
        python = sys.executable
        celery = os.path.join(os.path.dirname(python), "celery")
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        commands = {
            "web": [python, "manage.py", "runserver", addr, "--noreload"],
            "worker": [celery, "-A", "config", "worker", "--pool=solo", "--loglevel=INFO", "-n", "demo@%h"],
            "beat": [
                celery,
                "-A",
                "config",
                "beat",
                "--loglevel=INFO",
                "-s",
                str(settings.VAR_DIR / "celerybeat-schedule"),
            ],
        }
        # The children run in sessions of their own, so stopping is this process's job: on Ctrl-C,
        # on `kill`, and when the terminal closes (and even if the shell started it with SIGINT ignored).
        for stop_signal in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(stop_signal, _stop)
        base = demo_site_url(addr)
        # Emails link to SITE_URL: the address this demo serves, unless one is set already.
        env = {**os.environ, "SITE_URL": os.environ.get("SITE_URL") or base}
        processes = {
            name: subprocess.Popen(cmd, start_new_session=True, env=env) for name, cmd in commands.items()
        }
        self.stdout.write(self.style.SUCCESS("\nThe arbitration back office is starting:"))
        self.stdout.write(f"  Buyer and seller pages: {base}/")
        self.stdout.write(f"  Arbiter back office:    {base}/admin/")
        self.stdout.write(f"  Integration API docs:   {base}/api/v1/docs")
        self.stdout.write("  Demo logins (username / password):")
        for username, password, role in DEMO_LOGINS:
            self.stdout.write(f"    {username:<11} / {password:<11} {role}")
        self.stdout.write("  Emails are printed by the worker. Press Ctrl-C to stop everything.\n")
        try:
            while all(p.poll() is None for p in processes.values()):
                time.sleep(0.5)
            stopped = [name for name, p in processes.items() if p.poll() is not None]
            self.stderr.write(f"{', '.join(stopped)} stopped; shutting the others down.")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        finally:
            for p in processes.values():
                if p.poll() is None:
                    os.killpg(p.pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            for p in processes.values():
                try:
                    p.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
