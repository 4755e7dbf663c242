"""CPU placement of a sync process (catalog/background.py), each case in its own process: the
placement changes the scheduling of the process that asks for it."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys

import pytest

from eligo.catalog import background

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux scheduling")


def run_child(code: str, timeout: float = 30) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, check=True
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_sync_runs_niced_on_one_cpu_in_the_idle_class() -> None:
    result = run_child(
        "import json, os\n"
        "from eligo.catalog.background import run_in_background\n"
        "placed = run_in_background(nice=7, pin_cpu=True, idle_class=True)\n"
        "print(json.dumps({'policy': os.sched_getscheduler(0),\n"
        "    'cpus': sorted(os.sched_getaffinity(0)),\n"
        "    'nice': os.getpriority(os.PRIO_PROCESS, 0),\n"
        "    'guard_cpus': sorted(placed.guard.cpus) if placed.guard else None,\n"
        "    'pinned': placed.pinned_cpu}))\n"
    )
    allowed = sorted(os.sched_getaffinity(0))
    assert result["nice"] == os.getpriority(os.PRIO_PROCESS, 0) + 7
    if background._can_leave_idle_class(7):
        assert result["policy"] == os.SCHED_IDLE
        assert result["guard_cpus"] == allowed
    else:  # no guard could rescue it: stays in the normal class
        assert result["policy"] == os.SCHED_OTHER
    if len(allowed) > 1:
        assert result["cpus"] == [max(allowed)] == [result["pinned"]]
    else:
        assert result["cpus"] == allowed
        assert result["pinned"] is None


def test_placement_can_be_turned_off() -> None:
    result = run_child(
        "import json, os\n"
        "from eligo.catalog.background import run_in_background\n"
        "run_in_background(nice=0, pin_cpu=False, idle_class=False)\n"
        "print(json.dumps({'policy': os.sched_getscheduler(0),\n"
        "    'cpus': sorted(os.sched_getaffinity(0))}))\n"
    )
    assert result == {"policy": os.SCHED_OTHER, "cpus": sorted(os.sched_getaffinity(0))}


@pytest.mark.skipif(not background._can_leave_idle_class(10), reason="needs CAP_SYS_NICE")
def test_a_starved_sync_goes_back_to_normal_scheduling() -> None:
    """A normal-class process spinning on the sync's CPU starves it under SCHED_IDLE; the guard
    notices the wait and moves it back to normal scheduling on every CPU, at its nice value."""
    result = run_child(
        "import json, os, subprocess, sys, threading, time\n"
        "from eligo.catalog.background import StarvationGuard\n"
        "cpus = os.sched_getaffinity(0)\n"
        "cpu = max(cpus)\n"
        "os.nice(10)\n"
        "guard = StarvationGuard(tid=threading.get_native_id(), nice=10, cpus=cpus,\n"
        "    window_seconds=1.0, check_seconds=0.25, max_wait_share=0.5)\n"
        "guard.start()\n"
        "hog = subprocess.Popen([sys.executable, '-c', 'while True: pass'])\n"
        "os.sched_setaffinity(hog.pid, {cpu})\n"
        "os.sched_setaffinity(0, {cpu})\n"
        "os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))\n"
        "deadline = time.monotonic() + 20\n"
        "while not guard.promoted and time.monotonic() < deadline:\n"
        "    pass\n"
        "hog.kill()\n"
        "print(json.dumps({'promoted': guard.promoted, 'policy': os.sched_getscheduler(0),\n"
        "    'cpus': sorted(os.sched_getaffinity(0)), 'all': sorted(cpus),\n"
        "    'nice': os.getpriority(os.PRIO_PROCESS, 0)}))\n"
    )
    assert result["promoted"] is True
    assert result["policy"] == os.SCHED_OTHER
    assert result["cpus"] == result["all"]
    assert result["nice"] == 10


def test_leaving_the_idle_class_needs_a_permission(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setattr(resource, "getrlimit", lambda _which: (0, 0))
    assert not background._can_leave_idle_class(10)
    monkeypatch.setattr(resource, "getrlimit", lambda _which: (10, 10))
    assert background._can_leave_idle_class(10)
    assert not background._can_leave_idle_class(5)
    monkeypatch.setattr(
        resource,
        "getrlimit",
        lambda _which: (resource.RLIM_INFINITY, resource.RLIM_INFINITY),
    )
    assert background._can_leave_idle_class(0)
