"""The README's test command (the one `.ci/run` evals) runs every hatch-test environment.

The command's loop is run with a stand-in for `.hatchvenv/bin/hatch` that records its
arguments and fails on demand, so no environment is really created here.
"""

from __future__ import annotations

import pathlib
import re
import subprocess
import tomllib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CI_PATTERN = re.compile(r"^python3 -m venv \.hatchvenv .*hatch test", re.M)  # as in .ci/run
SETUP = ".hatchvenv/bin/pip install -q hatch==1.18.2 && "

FAKE_HATCH = """#!/usr/bin/env bash
echo "hatch $*" >> calls.txt
echo "pytest output for $*"
for arg in "$@"; do
  case " $FAIL " in *" $arg "*) echo "===== 1 failed, 9 passed in 0.1s ====="; exit 1;; esac
done
echo "===== 10 passed in 0.1s ====="
"""


def _readme_command() -> str:
    match = CI_PATTERN.search((ROOT / "README.md").read_text(encoding="utf-8"))
    assert match, "README.md lost the test command line that .ci/run greps"
    line = (ROOT / "README.md").read_text(encoding="utf-8")[match.start() :].splitlines()[0]
    return line


def _matrix_legs() -> list[str]:
    """``variable=value`` for each hatch-test matrix environment (python aside)."""
    config = tomllib.loads((ROOT / "hatch.toml").read_text(encoding="utf-8"))
    legs = []
    for matrix in config["envs"]["hatch-test"]["matrix"]:
        ((variable, values),) = [(k, v) for k, v in matrix.items() if k != "python"]
        legs += [f"{variable}={value}" for value in values]
    return legs


def _run_loop(tmp_path: pathlib.Path, fail: str) -> subprocess.CompletedProcess:
    line = _readme_command()
    assert SETUP in line
    loop = line.split(SETUP, 1)[1]  # after creating the venv and installing hatch
    hatch = tmp_path / ".hatchvenv" / "bin" / "hatch"
    hatch.parent.mkdir(parents=True)
    hatch.write_text(FAKE_HATCH)
    hatch.chmod(0o755)
    # `set -euo pipefail` as in .ci/run, which evals the line.
    return subprocess.run(
        ["bash", "-c", f"set -euo pipefail; eval {_quote(loop)}"],
        cwd=tmp_path,
        env={"FAIL": fail, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def test_readme_loop_covers_every_matrix_environment():
    loop = re.search(r"for leg in ([\w= ]+); do", _readme_command())
    assert loop, "the README test command no longer loops over the hatch-test matrix"
    assert loop.group(1).split() == _matrix_legs()
    assert _matrix_legs() == ["plugins=core", "plugins=all", "jax=min"]


@pytest.mark.parametrize(
    "fail,returncode",
    [("", 0), ("plugins=core", 1), ("plugins=all", 1), ("jax=min", 1), ("plugins=all jax=min", 1)],
)
def test_every_environment_runs_and_any_failure_fails_the_command(tmp_path, fail, returncode):
    result = _run_loop(tmp_path, fail)
    calls = (tmp_path / "calls.txt").read_text().splitlines()
    assert calls == ["hatch run lint:all"] + [f"hatch test -i {leg}" for leg in _matrix_legs()]
    assert result.returncode == returncode, result.stdout + result.stderr
    # The output still ends with pytest's summary line (of the last environment).
    assert re.fullmatch(r"=+ .*(passed|failed).* =+", result.stdout.splitlines()[-1])


def test_a_lint_finding_fails_the_command_before_any_test(tmp_path):
    result = _run_loop(tmp_path, "lint:all")
    assert (tmp_path / "calls.txt").read_text().splitlines() == ["hatch run lint:all"]
    assert result.returncode == 1
