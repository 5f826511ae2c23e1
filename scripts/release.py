"""Builds distributions and lists their versions: ``hatch run release:build NAME``.

Every directory of ``packages/`` is a distribution with its own version and CHANGELOG.md.
``build NAME`` (e.g. ``haiku-layers``) writes that distribution's wheel and sdist into
``dist/``; ``build --all`` rebuilds ``dist/`` with every distribution; ``versions`` prints
each version. Run through hatch's ``release`` env (it provides hatch itself).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGES = ROOT / "packages"
DIST = ROOT / "dist"


def names() -> list[str]:
    return sorted(p.parent.name for p in PACKAGES.glob("*/pyproject.toml"))


def _hatch(package: str, *args: str) -> subprocess.CompletedProcess:
    # A nested hatch must not think it runs inside the `release` env.
    env = {k: v for k, v in os.environ.items() if k != "HATCH_ENV_ACTIVE"}
    return subprocess.run(
        ["hatch", *args],
        cwd=PACKAGES / package,
        env=env,
        check=False,
        capture_output=args[0] == "version",
        text=True,
    )


def build(package: str) -> int:
    DIST.mkdir(exist_ok=True)
    return _hatch(package, "build", "-t", "wheel", "-t", "sdist", str(DIST)).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hatch run release:<command>")
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("build", help="build one distribution (or --all) into dist/")
    p.add_argument("name", nargs="?", help=f"one of: {', '.join(names())}")
    p.add_argument("--all", action="store_true", help="clear dist/ and build every one")
    commands.add_parser("versions", help="print the version of each distribution")
    args = parser.parse_args(argv)
    if args.command == "versions":
        for package in names():
            result = _hatch(package, "version")
            print(f"{package:28}{result.stdout.strip() or result.stderr.strip()}")
        return 0
    if args.all:
        shutil.rmtree(DIST, ignore_errors=True)
        for package in names():
            if build(package):
                return 1
        print("\n".join(sorted(p.name for p in DIST.iterdir())))
        return 0
    if args.name not in names():
        parser.error(
            f"unknown distribution {args.name!r}; choose one of: {', '.join(names())} (or --all)"
        )
    return build(args.name)


if __name__ == "__main__":
    sys.exit(main())
