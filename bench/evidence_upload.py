"""Benchmark: a 200 MB video uploaded through the real upload path (R-EVD-2, R-EVD-3).

    .venv/bin/python bench/evidence_upload.py [--size-mb 200] [--storage local|s3]

What runs: a server process (Django's WSGI handler behind wsgiref, the project's settings,
a fresh SQLite database in a temporary folder) with one view that does what a dispute page
does: an ``EvidenceFilesField`` form, then ``dispute_post_message`` → ``evidence_add`` →
storage. This process builds a 200 MB MP4 (an ``ftyp`` box, a ``moov`` with a location, an
``mdat`` of incompressible filler) and streams it as multipart/form-data in 1 MB pieces.

Measured, for the server process only:

* peak memory above idle: RSS sampled every 2 ms from /proc during the upload, and the
  kernel's own high-water mark (VmHWM, reset just before the upload via clear_refs);
  target ≤ 100 MB;
* Python allocations at peak (tracemalloc), in a second upload with tracing on;
* upload throughput: file bytes / wall time from the first byte sent to the response
  (parsing to a temporary file, type check + SHA-256 + scan, structure, storage copy, DB);
* the background rendition of the same video (metadata boxes blanked in a streamed copy):
  time and peak memory above idle.

``--storage s3`` starts moto's S3 server in a third process and stores there (bounded
multipart: 4 parts of 8 MB in flight, see config/settings.py); the figures then include
boto3's buffers.

Figures are printed, never asserted: see the final report of issue 8 for the numbers.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024
PROFILE_DISPUTES = 3  # warm-up, plain upload, traced upload


# --- The server process ---------------------------------------------------------------------


def serve(port_file: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ROOT_URLCONF = __name__ if __name__ != "__main__" else "bench.evidence_upload"
    call_command("migrate", verbosity=0, interactive=False)
    disputes = _make_disputes(PROFILE_DISPUTES)
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from django.core.handlers.wsgi import WSGIHandler

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = make_server("127.0.0.1", 0, WSGIHandler(), handler_class=QuietHandler)
    port_file.write_text(json.dumps({"port": server.server_port, "disputes": disputes, "pid": os.getpid()}))
    server.serve_forever()


def _make_disputes(count: int) -> list[int]:
    from decimal import Decimal

    from django.contrib.auth import get_user_model

    from arbitration.models import Reason, WantedResolution
    from arbitration.services import dispute_open
    from marketplace.services import order_pay, order_ship

    User = get_user_model()
    buyer = User.objects.create_user(username=f"bench-buyer-{uuid.uuid4().hex[:6]}")
    seller = User.objects.create_user(username=f"bench-seller-{uuid.uuid4().hex[:6]}")
    ids = []
    for _ in range(count):
        order = order_pay(
            buyer=buyer, seller=seller, item_title="Action camera", amount=Decimal("120.00"),
            currency="USD", payment_method="card",
        )  # fmt: skip
        order = order_ship(order=order, actor=seller, carrier="DHL", tracking_number="JD0001")
        dispute = dispute_open(
            order=order, actor=buyer, reason=Reason.DAMAGED, resolution=WantedResolution.FULL_REFUND,
            description="The camera arrived with a cracked lens; the unboxing video shows it.",
        )  # fmt: skip
        ids.append(dispute.pk)
    return ids


def upload_view(request, dispute_id: int):
    """What a dispute page does with a message and files, minus the template."""
    import tracemalloc

    from django import forms
    from django.http import JsonResponse

    from arbitration.evidence.forms import EvidenceFilesField
    from arbitration.models import Dispute
    from arbitration.services import dispute_post_message
    from marketplace.errors import DomainError

    class EvidenceForm(forms.Form):
        body = forms.CharField(required=False)
        files = EvidenceFilesField(required=True)

    # request.FILES is parsed lazily: everything below, parsing included, is measured.
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors}, status=400)
    dispute = Dispute.objects.get(pk=dispute_id)
    try:
        dispute_post_message(
            dispute=dispute,
            actor=dispute.buyer,
            body=form.cleaned_data["body"],
            files=form.cleaned_data["files"],
        )
    except DomainError as exc:
        return JsonResponse({"errors": exc.messages}, status=400)
    evidence = dispute.evidence.order_by("-pk").first()
    traced = tracemalloc.get_traced_memory()[1] if tracemalloc.is_tracing() else None
    return JsonResponse({"evidence": evidence.pk, "sha256": evidence.sha256, "traced_peak": traced})


def trace_view(request, on: int):
    import tracemalloc

    from django.http import JsonResponse

    if on:
        tracemalloc.start()
        tracemalloc.reset_peak()
    else:
        tracemalloc.stop()
    return JsonResponse({"tracing": tracemalloc.is_tracing()})


def process_view(request, evidence_id: int):
    from django.http import JsonResponse

    from arbitration.evidence import evidence_process

    started = time.perf_counter()
    result = evidence_process(evidence_id=evidence_id)
    return JsonResponse({"result": result, "seconds": time.perf_counter() - started})


def _csrf_exempt(view):
    from django.views.decorators.csrf import csrf_exempt

    return csrf_exempt(view)


if __name__ != "__main__":
    from django.urls import path

    urlpatterns = [
        path("upload/<int:dispute_id>/", _csrf_exempt(upload_view)),
        path("trace/<int:on>/", _csrf_exempt(trace_view)),
        path("process/<int:evidence_id>/", _csrf_exempt(process_view)),
    ]


# --- The client (this process) --------------------------------------------------------------


def _box(kind: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _full_box(kind: bytes, payload: bytes = b"") -> bytes:
    return _box(kind, b"\x00\x00\x00\x00" + payload)


def _phone_mp4_header() -> bytes:
    """``ftyp`` and a ``moov`` with one video track and the place it was recorded, where phones
    write it (``udta/©xyz``): what the rendition must blank."""
    place = b"+55.7539+037.6208/"
    track = _box(
        b"trak",
        _full_box(b"tkhd", bytes(80))
        + _box(b"mdia", _full_box(b"mdhd", bytes(20)) + _full_box(b"hdlr", bytes(4) + b"vide" + bytes(13))),
    )
    location = _box(b"udta", _box(b"\xa9xyz", struct.pack(">HH", len(place), 0x15C7) + place))
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 0x200) + b"isomiso2avc1mp41")
    return ftyp + _box(b"moov", _full_box(b"mvhd", bytes(96)) + track + location)


def make_video(path: Path, size: int) -> None:
    """An MP4 of exactly ``size`` bytes: ftyp, moov (with a location, like a phone's), mdat."""
    header = _phone_mp4_header()
    filler = size - len(header) - 8
    block = os.urandom(MB)  # incompressible, like encoded video
    with path.open("wb") as out:
        out.write(header + struct.pack(">I", 8 + filler) + b"mdat")
        for offset in range(0, filler, MB):
            out.write(block[: min(MB, filler - offset)])
    assert path.stat().st_size == size


def rss(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} not found")


class Sampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0, True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, rss(self.pid))
            time.sleep(0.002)

    def stop(self) -> int:
        self.running = False
        self.join()
        return self.peak


def request(port: int, method: str, path: str, *, body_file: Path | None = None, name: str = "") -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    if body_file is None:
        connection.request(method, path)
    else:
        boundary = uuid.uuid4().hex
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="body"\r\n\r\nUnboxing video\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            f"Content-Type: video/mp4\r\n\r\n"
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        length = len(head) + body_file.stat().st_size + len(tail)
        connection.putrequest(method, path)
        connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
        connection.putheader("Content-Length", str(length))
        connection.endheaders()
        connection.send(head)
        with body_file.open("rb") as f:
            while chunk := f.read(MB):
                connection.send(chunk)
        connection.send(tail)
    response = connection.getresponse()
    raw = response.read()
    connection.close()
    if response.status != 200:
        raise RuntimeError(f"{method} {path}: HTTP {response.status} {raw[:2000]!r}")
    return json.loads(raw)


def reset_peak(pid: int) -> bool:
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def start_moto(workdir: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
        region_name="us-east-1",
    )
    for _ in range(100):
        try:
            client.create_bucket(Bucket="bench-evidence")
            break
        except Exception:  # the server is still starting
            time.sleep(0.1)
    return process, endpoint


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--size-mb", type=int, default=200, help="video size in MB of 10^6 bytes (default 200)"
    )
    parser.add_argument("--storage", choices=["local", "s3"], default="local")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(Path(args.serve))
        return

    size = args.size_mb * 1_000_000
    with tempfile.TemporaryDirectory(prefix="bench-evidence-") as workdir:
        work = Path(workdir)
        video = work / "unboxing.mp4"
        make_video(video, size)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
            "APP_VAR_DIR": str(work / "var"),
            "DJANGO_DEBUG": "true",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EVIDENCE_MAX_VIDEO_MB": str(max(200, args.size_mb + 1)),
            "LOG_LEVEL": "WARNING",
        }
        moto = None
        if args.storage == "s3":
            moto, endpoint = start_moto(work)
            env.update(
                STORAGE_BACKEND="s3",
                AWS_S3_ENDPOINT_URL=endpoint,
                AWS_STORAGE_BUCKET_NAME="bench-evidence",
                AWS_ACCESS_KEY_ID="bench",
                AWS_SECRET_ACCESS_KEY="bench",
                AWS_S3_REGION_NAME="us-east-1",
            )
        port_file = work / "server.json"
        server = subprocess.Popen([sys.executable, __file__, "--serve", str(port_file)], env=env, cwd=ROOT)
        try:
            for _ in range(600):
                if port_file.exists() and port_file.read_text():
                    break
                if server.poll() is not None:
                    raise SystemExit("the server process stopped during start-up")
                time.sleep(0.1)
            info = json.loads(port_file.read_text())
            port, disputes, pid = info["port"], info["disputes"], info["pid"]

            # Warm-up: a small real upload loads every module the big one needs.
            small = work / "small.mp4"
            make_video(small, 3_000_000)
            request(port, "POST", f"/upload/{disputes[0]}/", body_file=small, name="small.mp4")
            time.sleep(0.5)
            idle = rss(pid)
            hwm_reset = reset_peak(pid)

            sampler = Sampler(pid)
            sampler.start()
            started = time.perf_counter()
            result = request(port, "POST", f"/upload/{disputes[1]}/", body_file=video, name="unboxing.mp4")
            seconds = time.perf_counter() - started
            sampled_peak = sampler.stop()
            hwm = rss(pid, "VmHWM") if hwm_reset else None

            # The same upload again with tracemalloc on: Python's own allocations at their peak.
            request(port, "POST", "/trace/1/")
            traced = request(port, "POST", f"/upload/{disputes[2]}/", body_file=video, name="unboxing.mp4")
            request(port, "POST", "/trace/0/")

            # The background rendition of the big video (what the Celery worker does).
            time.sleep(0.5)
            idle_before_processing = rss(pid)
            reset_peak(pid)
            sampler = Sampler(pid)
            sampler.start()
            processed = request(port, "POST", f"/process/{result['evidence']}/")
            processing_peak = sampler.stop()
        finally:
            server.terminate()
            server.wait(timeout=30)
            if moto is not None:
                moto.terminate()
                moto.wait(timeout=30)

    above = sampled_peak - idle
    print(f"Evidence upload benchmark — storage: {args.storage}, file: {size / 1e6:.0f} MB MP4")
    print(f"  upload wall time            {seconds:8.2f} s")
    print(
        f"  throughput                  {size / 1e6 / seconds:8.1f} MB/s  (parse + check + hash + store + DB)"
    )
    print(f"  server RSS idle             {idle / MB:8.1f} MiB")
    print(f"  server RSS peak (sampled)   {sampled_peak / MB:8.1f} MiB")
    if hwm is not None:
        print(f"  server RSS peak (VmHWM)     {hwm / MB:8.1f} MiB")
        above = max(above, hwm - idle)
    verdict = "OK" if above <= 100 * MB else "OVER"
    print(f"  peak above idle             {above / MB:8.1f} MiB   target ≤ 100 MiB  → {verdict}")
    print(f"  ratio peak-above-idle/file  {above / size:8.3f}")
    if traced.get("traced_peak") is not None:
        traced_peak = traced["traced_peak"] / MB
        print(f"  Python allocations peak     {traced_peak:8.1f} MiB  (tracemalloc, second upload)")
    print(f"  SHA-256                     {result['sha256']}")
    print(
        f"  rendition (metadata boxes blanked): {processed['seconds']:.2f} s, "
        f"{size / 1e6 / processed['seconds']:.1f} MB/s, peak above idle "
        f"{(processing_peak - idle_before_processing) / MB:.1f} MiB ({processed['result']})"
    )


if __name__ == "__main__":
    main()
