"""The caller-effort bench as a check: its flows all run, every prompt can be interrupted, and the
discharge-ready report from a known ward keeps within 18 keys and 100 words heard (bench/caller_effort.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parent.parent / "bench" / "caller_effort.py"


def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("caller_effort", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["caller_effort"] = module
    spec.loader.exec_module(module)
    return module


def test_every_flow_of_the_effort_bench_runs_and_no_prompt_before_a_question_is_uninterruptible() -> None:
    efforts = {e.flow: e for e in bench().measure_all()}
    assert set(efforts) == {
        "discharge-ready",
        "next patient, same call",
        "admission with date",
        "changed assessment",
        "fault report",
        "connect by code",
        "receiver inbox",
    }
    for effort in efforts.values():
        assert effort.uninterruptible == [], effort.flow
    ready = efforts["discharge-ready"]
    assert ready.keys <= 18 and ready.words_to_key <= 100, ready
    assert ready.speech == 2  # the municipality and the caller's name
    assert efforts["next patient, same call"].keys < ready.keys  # the name is not asked again, the receiver is one key
