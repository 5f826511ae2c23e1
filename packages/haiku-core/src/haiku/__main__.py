"""Command-line diagnostics: ``python -m haiku <command>``.

Commands:
  plugins     table of the installed haiku plugins (distribution, version, supported
              extension-API range, status, names).
  new-plugin  writes a new plugin project: ``new-plugin haiku-acme [--dir D]``.
  ...         one command per entry point of group ``haiku.cli`` (e.g. ``summary``, from
              haiku-tools: ``summary module:function --input-shape 8,784``).

haiku-core defines only ``plugins``; other distributions add subcommands with an entry
point of group ``haiku.cli`` whose name is the subcommand and whose value is a
*register* callable, ``register(subparsers) -> None``: it receives the ``subparsers``
object of ``argparse`` and adds its parser with ``subparsers.add_parser(name, ...)``,
setting ``func`` (``args -> int``, the exit code) with ``set_defaults``::

    [project.entry-points."haiku.cli"]
    summary = "my_package.cli:register"

A register callable is loaded only when ``python -m haiku`` runs; distributions named
in ``HAIKU_DISABLE_PLUGINS`` are skipped. A command whose distribution is missing (a
first-party one, `KNOWN_COMMANDS`) or whose register callable fails still appears in
``--help``; running it prints what to install or the error and exits with status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

_MAX_NAMES = 6
_MAX_PROBLEMS = 3


def _format_names(names: Sequence[str], verbose: bool) -> str:
    if verbose or len(names) <= _MAX_NAMES:
        return ", ".join(names)
    return f"{', '.join(names[:_MAX_NAMES])}, ... ({len(names)} names)"


def cmd_plugins(args: argparse.Namespace) -> int:
    """Prints the plugin table; returns 1 if any plugin is not ``ok`` or ``disabled``.

    >>> code = main(["plugins"])
    haiku-core ...
    """
    import haiku
    from haiku import extend, plugins
    from haiku._src.specifiers import canonical_name

    rows = plugins.describe(check=args.check)
    api = ".".join(map(str, extend.API_VERSION))
    print(f"haiku-core {haiku.__version__} (extension API {api})")
    table = [("DISTRIBUTION", "VERSION", "API", "STATUS", "NAMES")]
    table += [
        (r.distribution, r.version, r.api or "-", r.status, _format_names(r.names, args.verbose))
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[4])
    if not rows:
        print("(no plugins installed)")
    for r in rows:
        problems = r.detail.splitlines()
        if problems:
            print(f"\n{r.distribution} ({r.status}):")
            shown = problems if args.verbose else problems[:_MAX_PROBLEMS]
            print("\n".join(f"  {p}" for p in shown))
            if len(shown) < len(problems):
                print(f"  ... {len(problems) - len(shown)} more (use -v to list all)")
    installed = {canonical_name(r.distribution) for r in rows}
    missing = sorted((d, e) for d, e in plugins.FIRST_PARTY_EXTRAS.items() if d not in installed)
    if missing:
        print(
            "\nnot installed: "
            + ", ".join(f'{dist} (pip install "haiku-core[{extra}]")' for dist, extra in missing)
        )
    return 0 if all(r.status in ("ok", "disabled") for r in rows) else 1


def cmd_new_plugin(args: argparse.Namespace) -> int:
    """Writes a plugin project (see ``haiku._src.new_plugin``); returns 2 on bad input."""
    from haiku._src import new_plugin

    try:
        root = new_plugin.write_project(args.name, args.dir, args.layer)
    except (ValueError, FileExistsError) as err:
        print(err, file=sys.stderr)
        return 2
    print(f"wrote {root}/\nnext: cd {root} && pip install -e '.[test]' && pytest")
    return 0


def _unavailable(
    parser: argparse._SubParsersAction, name: str, help_text: str, message: str
) -> None:
    """Adds a command that swallows its arguments and fails with `message`."""

    def fail(args: argparse.Namespace) -> int:
        print(f"python -m haiku {name}: {message}", file=sys.stderr)
        return 2

    fail.accepts_any_arguments = True  # type: ignore[attr-defined]  # functions take attributes
    parser.add_parser(name, help=help_text, add_help=False).set_defaults(func=fail)


def _plugin_commands(subparsers: argparse._SubParsersAction) -> None:
    """Adds the subcommands registered in the ``haiku.cli`` entry-point group."""
    import importlib.metadata

    from haiku import plugins
    from haiku._src.plugins import _disabled_distributions, install_hint
    from haiku._src.specifiers import canonical_name

    disabled = _disabled_distributions()
    seen = {"plugins", "new-plugin"}
    for ep in sorted(
        importlib.metadata.entry_points(group=plugins.CLI_GROUP), key=lambda ep: ep.name
    ):
        if ep.name in seen or canonical_name(getattr(ep.dist, "name", "")) in disabled:
            continue  # the first registration wins; core's commands cannot be replaced
        seen.add(ep.name)
        try:
            register: Callable[[argparse._SubParsersAction], None] = ep.load()
            register(subparsers)
        except Exception as exc:  # a broken plugin must not break the CLI
            dist = getattr(ep.dist, "name", "?")
            _unavailable(
                subparsers,
                ep.name,
                f"(broken: from {dist})",
                f"the {plugins.CLI_GROUP} entry point {ep.value!r} of {dist} "
                f"failed: {type(exc).__name__}: {exc}. Reinstall {dist}.",
            )
    for name, (dist, extra) in sorted(plugins.KNOWN_COMMANDS.items()):
        if name in seen:
            continue
        if canonical_name(dist) in disabled:
            _unavailable(
                subparsers,
                name,
                f"(needs {dist}: disabled)",
                f"this command is provided by the {dist!r} distribution, which is "
                f"disabled by {plugins.DISABLE_ENV}. Remove {dist} from it to use it.",
            )
        else:
            _unavailable(
                subparsers,
                name,
                f"(needs {dist}: not installed)",
                f"this command is provided by the {dist!r} distribution, which "
                f"is not installed. Install it with: {install_hint(dist, extra)}",
            )


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m haiku`` argument parser, one subcommand per diagnostic.

    >>> build_parser().parse_args(["plugins", "--check"]).check
    True
    """
    parser = argparse.ArgumentParser(prog="python -m haiku", description="haiku diagnostics")
    subparsers = parser.add_subparsers(dest="command", required=True, title="commands")

    p = subparsers.add_parser("plugins", help="list installed haiku plugins and their status")
    p.add_argument(
        "--check", action="store_true", help="also import every plugin name and report load errors"
    )
    p.add_argument("-v", "--verbose", action="store_true", help="list every name")
    p.set_defaults(func=cmd_plugins)

    p = subparsers.add_parser("new-plugin", help="write a new haiku plugin project")
    p.add_argument("name", help="distribution name, e.g. haiku-acme")
    p.add_argument("--dir", help="project directory (default: ./NAME)")
    p.add_argument("--layer", help="class name of the example layer (default: from NAME)")
    p.set_defaults(func=cmd_new_plugin)

    _plugin_commands(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs ``python -m haiku`` with `argv` (default: ``sys.argv[1:]``)."""
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown and not getattr(args.func, "accepts_any_arguments", False):
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    return args.func(args)


def _run_as_script() -> int:
    try:
        code = main()
        sys.stdout.flush()  # inside the try: a closed pipe surfaces here, not at exit
        return code
    except BrokenPipeError:
        # The reader went away (`python -m haiku plugins | head`): stop quietly. Point
        # stdout at devnull so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for a writer killed by the pipe


if __name__ == "__main__":
    sys.exit(_run_as_script())
