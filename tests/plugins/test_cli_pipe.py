"""`python -m haiku ... | head`: a reader that goes away ends the command quietly."""

from __future__ import annotations

import os
import subprocess
import sys


def _run_into_closed_pipe(*args: str) -> subprocess.CompletedProcess:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line is written
    try:
        return subprocess.run(
            [sys.executable, "-m", "haiku", *args],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=300,
            check=False,
        )
    finally:
        os.close(write_end)


def test_plugins_into_a_closed_pipe_exits_without_a_traceback():
    result = _run_into_closed_pipe("plugins", "-v")
    assert "Traceback" not in result.stderr and "BrokenPipeError" not in result.stderr, (
        result.stderr
    )
    assert result.stderr == ""
    assert result.returncode == 141


def test_plugins_piped_into_head_prints_the_first_line():
    result = subprocess.run(
        f'"{sys.executable}" -m haiku plugins -v | head -n 1',
        shell=True,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.stdout.startswith("haiku-core ")
    assert "Traceback" not in result.stderr, result.stderr
