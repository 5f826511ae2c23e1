"""``python -m haiku plugins`` (run in fresh interpreters)."""

from __future__ import annotations

import importlib.util
import os

import haiku as hk
from haiku import extend, plugins


def test_plugins_table(run_python):
    result = run_python("-m", "haiku", "plugins")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    api = ".".join(map(str, extend.API_VERSION))
    assert lines[0] == f"haiku-core {hk.__version__} (extension API {api})"
    assert lines[1].split() == ["DISTRIBUTION", "VERSION", "API", "STATUS", "NAMES"]
    rows = {line.split()[0]: line.split() for line in lines[2:] if line.startswith("haiku-")}
    if importlib.util.find_spec("haiku_layers") is None:
        assert "haiku-layers" not in rows
        assert 'haiku-layers (pip install "haiku-core[layers]")' in result.stdout
    else:
        assert rows["haiku-layers"][2:4] == [">=1.0,<2", "ok"]
        assert "(54 names)" in result.stdout
        assert rows["haiku-nets"][2:] == [">=1.0,<2", "ok", "nets"]
        assert "not installed" not in result.stdout


def test_problems_are_reported_with_exit_code_1(run_python, fake_dist):
    fake_dist(
        "haiku-fake-broken",
        {"Broken": "fake_broken:Broken"},
        modules={"fake_broken.py": "raise RuntimeError('boom at import')\n"},
    )
    fake_dist(
        "haiku-future",
        {"FutureLayer": "fake_future:FutureLayer"},
        version="3.0",
        requires=["haiku-core>=9.0"],
    )
    pythonpath = os.pathsep.join(filter(None, [str(fake_dist.root), os.environ.get("PYTHONPATH")]))
    quick = run_python("-m", "haiku", "plugins", PYTHONPATH=pythonpath)
    assert quick.returncode == 1, quick.stdout + quick.stderr
    assert "haiku-fake-broken" in quick.stdout and "boom" not in quick.stdout
    assert "which requires haiku-core>=9.0" in quick.stdout
    checked = run_python("-m", "haiku", "plugins", "--check", PYTHONPATH=pythonpath)
    assert "RuntimeError: boom at import" in checked.stdout
    row = [ln.split() for ln in checked.stdout.splitlines() if ln.startswith("haiku-fake-broken")]
    assert row[0][:4] == ["haiku-fake-broken", "1.0", "-", "broken"]
    disabled = run_python(
        "-m",
        "haiku",
        "plugins",
        PYTHONPATH=pythonpath,
        **{plugins.DISABLE_ENV: "haiku-fake-broken,haiku-future"},
    )
    assert disabled.returncode == 0, disabled.stdout + disabled.stderr
    assert "disabled" in disabled.stdout


def test_requires_a_command(run_python):
    result = run_python("-m", "haiku")
    assert result.returncode == 2
    assert "plugins" in result.stderr


CLI_MODULE = """
def register(subparsers):
    parser = subparsers.add_parser("hello", help="says hello")
    parser.add_argument("--who", default="world")
    parser.set_defaults(func=lambda args: print(f"hello {args.who}") or 0)
"""


def test_commands_come_from_the_cli_entry_point_group(run_python, fake_dist):
    fake_dist(
        "haiku-fake-cli",
        entry_points_text=(
            "[haiku.cli]\nhello = fake_cli:register\nboom = fake_cli:missing\n"
            "plugins = fake_cli:register\n"
        ),
        modules={"fake_cli.py": CLI_MODULE},
    )
    pythonpath = os.pathsep.join(filter(None, [str(fake_dist.root), os.environ.get("PYTHONPATH")]))
    hello = run_python("-m", "haiku", "hello", "--who", "you", PYTHONPATH=pythonpath)
    assert (hello.returncode, hello.stdout) == (0, "hello you\n"), hello.stderr
    boom = run_python("-m", "haiku", "boom", "--any", "args", PYTHONPATH=pythonpath)
    assert boom.returncode == 2
    assert "fake_cli:missing" in boom.stderr and "Reinstall haiku-fake-cli" in boom.stderr
    listing = run_python("-m", "haiku", "--help", PYTHONPATH=pythonpath)
    assert "hello" in listing.stdout and "(broken: from haiku-fake-cli)" in listing.stdout
    core = run_python("-m", "haiku", "plugins", PYTHONPATH=pythonpath)  # core's wins
    assert core.stdout.startswith("haiku-core "), core.stdout + core.stderr
    disabled = run_python(
        "-m", "haiku", "hello", PYTHONPATH=pythonpath, **{plugins.DISABLE_ENV: "haiku-fake-cli"}
    )
    assert disabled.returncode == 2 and "invalid choice: 'hello'" in disabled.stderr


def test_summary_needs_haiku_tools(run_python):
    args = ("-m", "haiku", "summary", "models.py:forward", "--input-shape", "8,784")
    installed = importlib.util.find_spec("haiku_tools") is not None
    result = run_python(*args, **({plugins.DISABLE_ENV: "haiku-tools"} if installed else {}))
    assert result.returncode == 2
    assert "'haiku-tools' distribution" in result.stderr
    if not installed:
        assert 'pip install "haiku-core[tools]"' in result.stderr
        assert "(needs haiku-tools: not installed)" in run_python("-m", "haiku", "-h").stdout
    else:
        assert "disabled by HAIKU_DISABLE_PLUGINS" in result.stderr
