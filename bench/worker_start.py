"""How long a web worker takes to start, and how much memory it holds once it has answered a call.

A gunicorn worker of `ivr serve` (no preloading: each worker builds its own app, so no connection crosses a
fork) imports the service and runs the app factory, which reads and checks every data file. This runs the
same in a fresh interpreter, several times, against a migrated SQLite database with the bundled directory:
the time from the interpreter's start to an app ready to answer, then one signed `POST /voice`, and the
resident memory (VmRSS) after it.

    python bench/worker_start.py [--runs 5]

Target: under a second to start. Exits 1 if the median misses it.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET_SECONDS = 1.0
TOKEN = secrets.token_hex(16)  # signs the bench's own request

WORKER = """
import time
started = time.perf_counter()
from twilio.request_validator import RequestValidator
from ivr.app import create_app
app = create_app()
ready = time.perf_counter()
params = {"CallSid": "CA" + "1" * 32, "AccountSid": "AC" + "0" * 32, "From": "+46980319202",
          "To": "+46846500400", "CallStatus": "ringing", "Direction": "inbound"}
url = "https://ivr.example.se/voice"
signature = RequestValidator(%(token)r).compute_signature(url, params)
answer = app.test_client().post("/voice", data=params, base_url="https://ivr.example.se",
                                headers={"X-Twilio-Signature": signature})
assert answer.status_code == 200 and b"<Gather" in answer.data, answer.data[:300]
rss = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmRSS:"))
print(ready - started, rss)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "IVR_", "DATABASE_URL"))}
        env |= {
            "DATABASE_URL": f"sqlite:///{tmp}/worker.sqlite3",
            "IVR_INSTANCE_PATH": tmp,
            "TWILIO_AUTH_TOKEN": TOKEN,
            "IVR_PUBLIC_URL": "https://ivr.example.se",
            "IVR_SMS_SENDER": "console",  # no Twilio account here; the worker's start is the same
            "PYTHONPATH": str(HERE.parent),
        }
        subprocess.run([sys.executable, "-m", "ivr", "db", "upgrade"], env=env, check=True, capture_output=True)
        subprocess.run(
            [sys.executable, "-m", "ivr", "directory", "load", str(HERE.parent / "directory/data/directory.csv")],
            env=env,
            check=True,
            capture_output=True,
        )
        starts, rss, walls = [], [], []
        for _ in range(args.runs):
            began = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-c", WORKER % {"token": TOKEN}], env=env, check=True, capture_output=True, text=True
            ).stdout.split()
            walls.append(time.perf_counter() - began)
            starts.append(float(out[-2]))
            rss.append(int(out[-1]))
    result = {
        "start_seconds_median": round(statistics.median(starts), 3),
        "start_seconds_max": round(max(starts), 3),
        "process_seconds_median": round(statistics.median(walls), 3),
        "rss_mib_median": round(statistics.median(rss) / 1024, 1),
    }
    if args.json:
        print(json.dumps(result))
    else:
        median, longest = result["start_seconds_median"], result["start_seconds_max"]
        print(f"worker start (imports + app factory): median {median} s, max {longest} s")
        print(f"whole process incl. interpreter and one call: median {result['process_seconds_median']} s")
        print(f"resident memory after one call: {result['rss_mib_median']} MiB")
    return 0 if result["start_seconds_median"] < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
