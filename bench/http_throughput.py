"""The hottest webhook over HTTP against a bare Flask endpoint, both under the same gunicorn settings.

Twilio reaches the service over HTTP, so this is the benchmark the target is held to: the hottest webhook
(POST /voice, a new signed call each request: signature check, call record, caller lookup, routing, TwiML)
must serve at least half the requests per second of a bare Flask endpoint. Load comes from wrk on loopback
(`apt-get install wrk`); every request is a distinct, validly signed call.

    python bench/http_throughput.py [--seconds 10] [--workers 2] [--database-url URL]

Exits 1 if the ratio is below the target.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

HERE = Path(__file__).resolve().parent
TARGET_RATIO = 0.5
DISTINCT_CALLS = 5000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            urllib.request.urlopen(urllib.request.Request(url, data=b"", method="POST"), timeout=1)  # noqa: S310
            return
        except urllib.error.HTTPError:
            return  # it answers (a 403 for the unsigned probe is fine)
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def lua_script(path: Path, port: int, token: str) -> None:
    """A wrk script that cycles through distinct, validly signed incoming calls."""
    validator = RequestValidator(token)
    lines = ["local calls = {"]
    for _ in range(DISTINCT_CALLS):
        params = {
            "CallSid": "CA" + secrets.token_hex(16),
            "AccountSid": "AC" + "0" * 32,
            "From": "+46980319202",
            "To": "+46846500400",
            "CallStatus": "ringing",
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
        }
        signature = validator.compute_signature(f"http://127.0.0.1:{port}/voice", params)
        lines.append(f'  {{"{urlencode(params)}", "{signature}"}},')
    lines += [
        "}",
        "local i = 0",
        "request = function()",
        "  i = (i % #calls) + 1",
        '  local headers = {["Content-Type"] = "application/x-www-form-urlencoded",',
        '                   ["X-Twilio-Signature"] = calls[i][2]}',
        '  return wrk.format("POST", "/voice", headers, calls[i][1])',
        "end",
        "response = function(status, headers, body)",
        '  if status ~= 200 then error("status " .. status) end',
        "end",
    ]
    path.write_text("\n".join(lines))


def run_wrk(port: int, script: Path, seconds: int) -> float:
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{seconds}s", "-s", str(script), f"http://127.0.0.1:{port}/voice"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        print(out)
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match:
        raise SystemExit(f"could not read wrk output:\n{out}")
    return float(match.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    token = secrets.token_hex(16)
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "IVR_", "DATABASE_URL"))}
        # No Twilio account here: receipts are printed, the webhooks are the same.
        env |= {"IVR_INSTANCE_PATH": tmp, "TWILIO_AUTH_TOKEN": token, "IVR_SMS_SENDER": "console"}
        if args.database_url:
            env["DATABASE_URL"] = args.database_url
        service_port, bare_port = free_port(), free_port()
        gunicorn = [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--worker-class",
            "gthread",
            "--log-level",
            "warning",
        ]
        subprocess.run([sys.executable, "-m", "ivr", "db", "upgrade"], env=env, check=True, capture_output=True)
        # The bundled directory, as `ivr serve` loads it: the calls come from a ward the directory knows.
        directory = str(HERE.parent / "directory" / "data" / "directory.csv")
        load = [sys.executable, "-m", "ivr", "directory", "load", directory, "--by", "bench"]
        subprocess.run(load, env=env, check=True, capture_output=True)
        service = subprocess.Popen(
            [*gunicorn, "--bind", f"127.0.0.1:{service_port}", "ivr.app:create_app()"],
            env=env,
            stderr=subprocess.DEVNULL,
        )
        bare = subprocess.Popen(
            [*gunicorn, "--chdir", str(HERE), "--bind", f"127.0.0.1:{bare_port}", "bare_app:app"],
            env=env,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_up(f"http://127.0.0.1:{service_port}/voice", service)
            wait_until_up(f"http://127.0.0.1:{bare_port}/voice", bare)
            script = Path(tmp) / "calls.lua"
            lua_script(script, service_port, token)
            hot = run_wrk(service_port, script, args.seconds)
            yardstick = run_wrk(bare_port, script, args.seconds)
        finally:
            for process in (service, bare):
                process.terminate()
                process.wait(timeout=15)
    ratio = hot / yardstick
    print(f"bare Flask endpoint under gunicorn: {yardstick:8.0f} req/s")
    print(f"POST /voice under gunicorn:         {hot:8.0f} req/s  ({args.database_url or 'sqlite'})")
    print(f"ratio {ratio:.2f} (target >= {TARGET_RATIO})")
    return 0 if ratio >= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
