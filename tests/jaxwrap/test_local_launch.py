"""``haiku_jaxwrap.local_launch``: N local processes of one program, failing fast and clean."""

from __future__ import annotations

import os
import sys
import time

import pytest

local_launch = pytest.importorskip("haiku_jaxwrap.local_launch")

PY = sys.executable


def test_each_process_gets_its_id_the_coordinator_and_its_devices():
    code = (
        "import os; print(os.environ['HAIKU_LAUNCH_PROCESS_ID'], "
        "os.environ['HAIKU_LAUNCH_NUM_PROCESSES'], "
        "os.environ['JAX_COORDINATOR_ADDRESS'].startswith('127.0.0.1:'), "
        "os.environ['XLA_FLAGS'].split()[-1])"
    )
    result = local_launch.run([PY, "-c", code], 3, devices_per_process=2, echo=False)
    flag = "--xla_force_host_platform_device_count=2"
    assert [out.split() for out in result.outputs] == [
        [str(i), "3", "True", flag] for i in range(3)
    ]


def test_a_failing_process_stops_the_others_at_once(tmp_path):
    pid_file = tmp_path / "pid"
    code = f"""
import os, pathlib, sys, time
pid_file = pathlib.Path({str(pid_file)!r})
if os.environ["HAIKU_LAUNCH_PROCESS_ID"] == "0":
    pid_file.write_text(str(os.getpid()))
    time.sleep(600)
while not pid_file.exists():
    time.sleep(0.01)
print("giving up")
sys.exit(3)
"""
    start = time.monotonic()
    with pytest.raises(local_launch.LaunchError, match="process 1 of 2 exited with status 3"):
        local_launch.run([PY, "-c", code], 2, echo=False)
    assert time.monotonic() - start < 60  # not the 600 s the other process would sleep
    with pytest.raises(ProcessLookupError):  # no process is left behind
        os.kill(int(pid_file.read_text()), 0)


def test_timeout_stops_every_process():
    with pytest.raises(local_launch.LaunchError, match="did not finish within 1 s"):
        local_launch.run([PY, "-c", "import time; time.sleep(600)"], 2, timeout=1, echo=False)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="processes must be >= 1, got 0"):
        local_launch.run([PY], 0)
    with pytest.raises(ValueError, match="give the command to run"):
        local_launch.run([], 2)


def test_initialize_is_a_no_op_outside_the_launcher(monkeypatch):
    monkeypatch.delenv(local_launch.PROCESS_ID_ENV, raising=False)
    assert not local_launch.launched()
    local_launch.initialize()  # does not touch jax.distributed


def test_command_line_reports_a_failure(capsys):
    assert local_launch.main(["-n", "2", "--", PY, "-c", "raise SystemExit(5)"]) == 1
    assert "exited with status 5" in capsys.readouterr().err
