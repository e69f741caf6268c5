"""The Procfile runs under a Procfile runner (honcho) as it does on a platform: the web process migrates before
it serves, both processes keep running, and a phoned-in fault report ends in a receipt from the worker."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from ivr.caller import Call, HttpTransport
from tests.conftest import AUTH_TOKEN, NORRBOTTEN_LINE, WARD_61
from tests.servers import ROOT, free_port, health, service_env


def test_the_procfile_runs_under_honcho_and_serves_a_call(tmp_path: Path) -> None:
    port = free_port()
    env = service_env(tmp_path, f"sqlite:///{tmp_path / 'line.sqlite3'}", PORT=str(port), WEB_CONCURRENCY="2")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # `ivr` of this venv
    honcho = shutil.which("honcho", path=env["PATH"])
    assert honcho is not None
    output_path = tmp_path / "honcho.log"
    with output_path.open("w") as output:
        runner = subprocess.Popen(
            [honcho, "start", "-f", str(ROOT / "Procfile")], env=env, cwd=tmp_path, stdout=output, stderr=output
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while health(url) != 200:
            assert runner.poll() is None, output_path.read_text()
            assert time.monotonic() < deadline, output_path.read_text()
            time.sleep(0.3)

        call = Call(HttpTransport(), AUTH_TOKEN, url, from_number=WARD_61, to_number=NORRBOTTEN_LINE).start()
        assert "Avdelning 61 medicin" in call.heard  # migrated, and the directory loaded, before serving
        call.press("2").say("Anna Andersson").press("1").press("1").press("1")
        assert "Felanmälan är registrerad" in call.heard_all

        deadline = time.monotonic() + 30
        while "Kvitto, reservlinjen: felanmälan mottagen" not in output_path.read_text():
            assert time.monotonic() < deadline, output_path.read_text()
            time.sleep(0.3)
        assert runner.poll() is None, "both processes keep running"
        log = output_path.read_text()
        assert "web.1" in log and "worker.1" in log
    finally:
        runner.send_signal(signal.SIGTERM)
        try:
            runner.wait(timeout=30)
        except subprocess.TimeoutExpired:
            runner.kill()
            runner.wait()
