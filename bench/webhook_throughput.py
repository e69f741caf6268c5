"""Throughput of the hottest webhook against a bare Flask endpoint, both through the same WSGI stack.

The target (DEVELOPERS.md): the hottest webhook serves at least half the requests per second of a bare
Flask endpoint that returns a constant TwiML document. Both run in this process through Flask's test client,
so the comparison measures our handler (signature check, database, TwiML) and not the load generator.

    python bench/webhook_throughput.py [--requests 2000] [--database-url URL]

Exits 1 if the ratio is below the target.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

from flask import Flask, Response
from twilio.request_validator import RequestValidator

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.in_process import BASE, TOKEN, in_process_service  # noqa: E402

TARGET_RATIO = 0.5


def bare_app() -> Flask:
    app = Flask("bare")
    body = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Hej</Say></Response>'
    app.add_url_rule("/voice", "voice", lambda: Response(body, mimetype="text/xml"), methods=["POST"])
    return app


def rate(app: Flask, requests: int, *, sign: bool) -> float:
    client = app.test_client()
    validator = RequestValidator(TOKEN)
    start = time.perf_counter()
    for i in range(requests):
        params = {
            "CallSid": f"CA{i:032x}",
            "AccountSid": "AC" + "0" * 32,
            "From": "+46980319202",
            "To": "+46846500400",
            "CallStatus": "ringing",
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
        }
        headers = {"X-Twilio-Signature": validator.compute_signature(BASE + "/voice", params)} if sign else {}
        response = client.post("/voice", data=params, base_url=BASE, headers=headers)
        if response.status_code != 200:
            raise SystemExit(f"request {i} answered {response.status_code}: {response.get_data(as_text=True)[:200]}")
    return requests / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    logging.disable(logging.INFO)  # a line per call would time the terminal
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        service = in_process_service(url, Path(tmp))
        rate(service, 50, sign=True)  # warm up
        rate(bare_app(), 50, sign=False)
        hot = rate(service, args.requests, sign=True)
        bare = rate(bare_app(), args.requests, sign=False)
        service.extensions["ivr.engine"].dispose()
    ratio = hot / bare
    print(f"bare Flask endpoint: {bare:8.0f} req/s")
    print(f"POST /voice (signed, new call each time, {url.split(':')[0]}): {hot:8.0f} req/s")
    print(f"ratio {ratio:.2f} (target >= {TARGET_RATIO})")
    return 0 if ratio >= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
