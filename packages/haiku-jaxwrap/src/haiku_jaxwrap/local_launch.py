"""Run a multi-process JAX program on this machine, as a cluster would run it on several.

JAX's distributed runtime (``jax.distributed.initialize``) is what trains a model across
hosts. This module starts N local processes of one command on a free localhost port so
that the same code can be tested on one machine: each process sees its own CPU devices,
and together they form one global mesh. It is a test and demo tool, not a cluster
manager: on SLURM, TPU pods or Kubernetes, ``jax.distributed.initialize()`` detects the
cluster by itself.

From the shell (every line of output is prefixed with its process id)::

    python -m haiku_jaxwrap.local_launch --processes 2 --devices-per-process 4 -- \\
        python examples/multihost_lm.py --steps 5

In the launched program::

    from haiku_jaxwrap import local_launch
    local_launch.initialize()   # no-op when not started by the launcher

If a process fails or the timeout passes, the others are killed (their whole process
groups) and :func:`run` raises :class:`LaunchError` naming the process and its exit code.

>>> import sys
>>> code = "import os; print(os.environ['HAIKU_LAUNCH_PROCESS_ID'])"
>>> result = run([sys.executable, "-c", code], processes=2, echo=False)
>>> sorted(out.strip() for out in result.outputs)
['0', '1']
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

NUM_PROCESSES_ENV = "HAIKU_LAUNCH_NUM_PROCESSES"
PROCESS_ID_ENV = "HAIKU_LAUNCH_PROCESS_ID"
COORDINATOR_ENV = "JAX_COORDINATOR_ADDRESS"  # read by jax.distributed.initialize itself


class LaunchError(RuntimeError):
    """A launched process failed (or the run timed out); the others were stopped."""


@dataclass(frozen=True)
class LaunchResult:
    """What each process printed (stdout and stderr interleaved), by process id."""

    outputs: tuple[str, ...]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (for the coordinator)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_env(
    process_id: int,
    processes: int,
    port: int,
    devices_per_process: int,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of one launched process: its id, the coordinator, its CPU devices."""
    env = dict(os.environ if base is None else base)
    flags = [f for f in env.get("XLA_FLAGS", "").split() if "device_count" not in f]
    flags.append(f"--xla_force_host_platform_device_count={devices_per_process}")
    env.update(
        {
            NUM_PROCESSES_ENV: str(processes),
            PROCESS_ID_ENV: str(process_id),
            COORDINATOR_ENV: f"127.0.0.1:{port}",
            "XLA_FLAGS": " ".join(flags),
            "JAX_PLATFORMS": env.get("JAX_PLATFORMS", "cpu"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def launched() -> bool:
    """Whether this process was started by :func:`run`."""
    return PROCESS_ID_ENV in os.environ


def initialize() -> None:
    """``jax.distributed.initialize`` for a process started by :func:`run` (else a no-op).

    CPU devices of different processes talk through gloo collectives.
    """
    if not launched():
        return
    import jax

    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    jax.distributed.initialize(
        coordinator_address=os.environ[COORDINATOR_ENV],
        num_processes=int(os.environ[NUM_PROCESSES_ENV]),
        process_id=int(os.environ[PROCESS_ID_ENV]),
    )


def _pump(stream, process_id: int, sink: list[str], echo: bool) -> None:
    for line in stream:
        sink.append(line)
        if echo:
            sys.stdout.write(f"[{process_id}] {line}")
            sys.stdout.flush()


def _kill_all(procs: Sequence[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):  # exited meanwhile
                os.killpg(proc.pid, signal.SIGKILL)
    for proc in procs:
        proc.wait()


def run(
    command: Sequence[str],
    processes: int,
    *,
    devices_per_process: int = 4,
    timeout: float = 600.0,
    env: Mapping[str, str] | None = None,
    echo: bool = True,
) -> LaunchResult:
    """Runs ``command`` as ``processes`` local processes of one distributed JAX program.

    Args:
      command: the program and its arguments, e.g. ``[sys.executable, "train.py"]``.
      processes: how many processes (JAX "hosts") to start.
      devices_per_process: CPU devices each process gets.
      timeout: seconds before every process is killed and :class:`LaunchError` raised.
      env: base environment (default: this process's).
      echo: print each output line prefixed with ``[process id]`` as it comes.

    Returns:
      The outputs, once every process exited with status 0.

    Raises:
      LaunchError: a process exited with another status (the others are killed at once)
        or the timeout passed. No launched process is left running.
    """
    if processes < 1:
        raise ValueError(f"local_launch.run: processes must be >= 1, got {processes}.")
    if not command:
        raise ValueError(
            "local_launch.run: give the command to run, e.g. [sys.executable, 'x.py']."
        )
    port = free_port()
    procs: list[subprocess.Popen] = []
    outputs: list[list[str]] = [[] for _ in range(processes)]
    pumps = []
    try:
        for i in range(processes):
            proc = subprocess.Popen(
                list(command),
                env=process_env(i, processes, port, devices_per_process, env),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,  # its own process group: killed with its children
            )
            procs.append(proc)
            pump = threading.Thread(target=_pump, args=(proc.stdout, i, outputs[i], echo))
            pump.daemon = True
            pump.start()
            pumps.append(pump)
        deadline = time.monotonic() + timeout
        while True:
            codes = [p.poll() for p in procs]
            failed = [(i, c) for i, c in enumerate(codes) if c not in (None, 0)]
            if failed:
                i, code = failed[0]
                raise LaunchError(
                    f"process {i} of {processes} exited with status {code}; the other "
                    f"processes were stopped. Its last output:\n{''.join(outputs[i][-20:])}"
                )
            if all(c == 0 for c in codes):
                break
            if time.monotonic() > deadline:
                raise LaunchError(
                    f"the {processes} processes did not finish within {timeout:g} s; they "
                    "were stopped. Raise `timeout` or look for a process waiting on another."
                )
            time.sleep(0.05)
    finally:
        _kill_all(procs)
        for pump in pumps:
            pump.join(timeout=5)
    return LaunchResult(tuple("".join(o) for o in outputs))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m haiku_jaxwrap.local_launch",
        description="Run one distributed JAX program as N local processes.",
    )
    parser.add_argument("--processes", "-n", type=int, default=2)
    parser.add_argument("--devices-per-process", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=3600.0)
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- program args...")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    try:
        run(
            command,
            args.processes,
            devices_per_process=args.devices_per_process,
            timeout=args.timeout,
        )
    except LaunchError as e:
        print(f"local_launch: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
