"""The whole benchmark suite: our haiku vs dm-haiku 0.0.17 vs raw JAX, interleaved, one run.

Our haiku and dm-haiku both install the import package `haiku`, so each lives in its own
environment; every workload script (benchmarks/*.py, printing JSON with `--json`) runs once
per interpreter per round, alternating which goes first, so both see the same machine load.
Raw-JAX baselines (`raw.*` keys) run inside the same processes, interleaved with Haiku.
Prints medians over rounds, ratios, the per-round ratio range (a noise gauge), the
"same HLO" check, init-parameter equality and the performance targets. Asserts nothing.

    hatch run bench:compare                      # finds both envs through hatch
    python benchmarks/suite.py --ours .venv-a/bin/python --ref .venv-b/bin/python \
        [--rounds 3] [--quick] [--markdown out.md]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).parent

# (script, extra args, accepts --info-out)
JOBS = [
    ("core_overhead", [], False),
    ("import_increment", ["--runs", "3"], False),
    ("mlp_overhead", ["--repeats", "11"], True),
    ("train_step", ["--only", "mlp,raw.mlp", "--compiles", "5"], True),
    ("train_step", ["--only", "lstm,raw.lstm", "--compiles", "5"], True),
    ("train_step", ["--only", "transformer", "--compiles", "1", "--steps", "15"], True),
    ("train_step", ["--only", "resnet18", "--compiles", "1", "--steps", "10"], True),
    ("layer_stack_depths", ["--depths", "8,32,128", "--repeats", "3"], False),
]
QUICK = {"train_step": ["--compiles", "1", "--steps", "10"], "mlp_overhead": ["--repeats", "5"]}

UNITS = {"module_construction": "us", "method_call": "us", "get_parameter": "us"}


def find_ref_python() -> str:
    """The python of hatch's `bench-ref` env (created on demand)."""
    hatch = shutil.which("hatch")
    if hatch is None and (HERE.parent / ".hatchvenv" / "bin" / "hatch").exists():
        hatch = str(HERE.parent / ".hatchvenv" / "bin" / "hatch")  # the README's install
    if hatch is None:
        sys.exit("hatch not found: pass --ref /path/to/dm-haiku-env/bin/python")
    env = {k: v for k, v in os.environ.items() if k != "HATCH_ENV_ACTIVE"}
    subprocess.run([hatch, "env", "create", "bench-ref"], check=True, env=env, capture_output=True)
    path = subprocess.run(
        [hatch, "env", "find", "bench-ref"], check=True, env=env, capture_output=True, text=True
    ).stdout.strip()
    return str(pathlib.Path(path) / "bin" / "python")


def run_job(python: str, script: str, extra: list[str], info: bool) -> tuple[dict, dict]:
    with tempfile.TemporaryDirectory() as tmp:
        info_path = pathlib.Path(tmp) / "info.json"
        cmd = [python, str(HERE / f"{script}.py"), "--json", *extra]
        if info:
            cmd += ["--info-out", str(info_path)]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=HERE)
        if proc.returncode != 0:
            print(
                f"!! {script} {' '.join(extra)} failed under {python}:\n{proc.stderr[-3000:]}",
                file=sys.stderr,
            )
            return {}, {}
        metrics = json.loads(proc.stdout.strip().splitlines()[-1])
        details = json.loads(info_path.read_text()) if info else {}
    return metrics, details


def env_versions(python: str) -> str:
    code = (
        "import importlib.metadata as m, jax, sys\n"
        "def v(d):\n"
        "    try: return m.version(d)\n"
        "    except m.PackageNotFoundError: return None\n"
        "ds = ['dm-haiku', 'haiku-core', 'haiku-layers', 'haiku-nets', 'haiku-jaxwrap',"
        " 'jax', 'jaxlib', 'optax', 'numpy']\n"
        "print('python ' + sys.version.split()[0] + ', ' + ', '.join("
        "f'{d} {v(d)}' for d in ds if v(d)))\n"
        # The device JAX chose (the workloads run there): CPU here, GPU/TPU on such hosts.
        "devs = jax.devices()\n"
        "print(f'device: {len(devs)} x {devs[0].platform} ({devs[0].device_kind})')\n"
    )
    return (
        subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
        .stdout.strip()
        .replace("\n", "; ")
    )


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} CPUs"


def _load() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def _fmt(v: float | None) -> str:
    if v is None:
        return "-"
    return f"{v:.3g}" if v < 10 else f"{v:.0f}" if v >= 1000 else f"{v:.1f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "-" if a is None or not b else f"{a / b:.2f}"


class Results:
    def __init__(self):
        self.samples: dict[str, dict[str, list[float]]] = {"ours": {}, "ref": {}}
        self.info: dict[str, dict] = {"ours": {}, "ref": {}}

    def add(self, label: str, metrics: dict, info: dict) -> None:
        for k, v in metrics.items():
            self.samples[label].setdefault(k, []).append(v)
        self.info[label].update(info)

    def med(self, label: str, key: str) -> float | None:
        values = self.samples[label].get(key)
        return statistics.median(values) if values else None

    def round_ratios(self, key_a: tuple[str, str], key_b: tuple[str, str]) -> list[float]:
        a = self.samples[key_a[0]].get(key_a[1], [])
        b = self.samples[key_b[0]].get(key_b[1], [])
        return [x / y for x, y in zip(a, b) if y]


def table(res: Results) -> list[str]:
    lines = [
        "| workload | ours | dm-haiku | ours / dm-haiku (per-round range) | raw JAX "
        "| ours / raw | dm-haiku / raw |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for key in res.samples["ours"] | res.samples["ref"]:
        if key.startswith("raw."):
            continue
        ours, ref = res.med("ours", key), res.med("ref", key)
        raw_key = "raw." + key
        raw_o, raw_r = res.med("ours", raw_key), res.med("ref", raw_key)
        rr = res.round_ratios(("ours", key), ("ref", key))
        spread = f" ({min(rr):.2f}-{max(rr):.2f})" if len(rr) > 1 else ""
        unit = UNITS.get(key, "ms")
        lines.append(
            f"| {key} [{unit}] | {_fmt(ours)} | {_fmt(ref)} | {_ratio(ours, ref)}{spread} "
            f"| {_fmt(raw_o)} | {_ratio(ours, raw_o)} | {_ratio(ref, raw_r)} |"
        )
    return lines


def hlo_check(res: Results) -> list[str]:
    lines = [
        "| jitted step | HLO instructions ours / dm-haiku | op-kind histogram | "
        "ops+shapes signature | ours vs raw JAX |",
        "|---|---:|---|---|---|",
    ]
    for name, ours in res.info["ours"].items():
        if name.startswith("raw.") or not isinstance(ours, dict) or "hlo" not in ours:
            continue
        ref = res.info["ref"].get(name, {}).get("hlo")
        raw = (res.info["ours"].get("raw." + name) or {}).get("hlo")
        o = ours["hlo"]
        if ref is None:
            lines.append(f"| {name} | {o['total']} / - | - | - | - |")
            continue
        same_ops = o["ops"] == ref["ops"]
        diff = (
            ""
            if same_ops
            else " ("
            + ", ".join(
                f"{k} {o['ops'].get(k, 0)}/{ref['ops'].get(k, 0)}"
                for k in sorted(set(o["ops"]) | set(ref["ops"]))
                if o["ops"].get(k) != ref["ops"].get(k)
            )
            + ")"
        )
        raw_txt = (
            "-"
            if raw is None
            else (
                "same"
                if raw["shaped_signature"] == o["shaped_signature"]
                else f"differs ({raw['total']} instr.)"
            )
        )
        lines.append(
            f"| {name} | {o['total']} / {ref['total']} | "
            f"{'same' if same_ops else 'differs'}{diff} | "
            f"{'same' if o['shaped_signature'] == ref['shaped_signature'] else 'differs'}"
            f" | {raw_txt} |"
        )
    return lines


def params_check(res: Results) -> list[str]:
    out = []
    o = res.info["ours"].get("params")
    r = res.info["ref"].get("params")
    if o and r:
        out.append(
            f"- MLP([64]*100) init params (same key) identical to dm-haiku's: "
            f"{'yes' if o == r else 'NO'}; identical to the raw-JAX init: "
            f"ours {res.info['ours'].get('init_equals_raw_jax')}, "
            f"dm-haiku {res.info['ref'].get('init_equals_raw_jax')}."
        )
        out.append(
            f"- init jaxpr equations: ours {res.info['ours'].get('init_jaxpr_eqns')}, "
            f"dm-haiku {res.info['ref'].get('init_jaxpr_eqns')}; apply jaxpr: ours "
            f"{res.info['ours'].get('apply_jaxpr_eqns')}, dm-haiku "
            f"{res.info['ref'].get('apply_jaxpr_eqns')}, raw JAX "
            f"{res.info['ours'].get('raw_apply_jaxpr_eqns')}."
        )
    for name, ours in res.info["ours"].items():
        if isinstance(ours, dict) and "params" in ours and name in res.info["ref"]:
            same = ours["params"] == res.info["ref"][name]["params"]
            out.append(f"- {name}: init params identical to dm-haiku's: {'yes' if same else 'NO'}")
    return out


def targets(res: Results) -> list[str]:
    lines = ["| target | measured | met? |", "|---|---:|---|"]

    def ratio(a, b):
        return None if a is None or not b else a / b

    def row(text, value, ok):
        shown = "-" if value is None else f"{value:.2f}x"
        verdict = "n/a" if value is None else ("yes" if ok(value) else "no")
        lines.append(f"| {text} | {shown} | {verdict} |")

    m = res.med

    def cpu_and_wall(text, key, base_label, base_key, limit):
        cpu = ratio(m("ours", key + ".cpu"), m(base_label, base_key + ".cpu"))
        wall = ratio(m("ours", key), m(base_label, base_key))
        value = cpu if cpu is not None else wall
        wall_txt = "" if wall is None else f" (wall {wall:.2f}x)"
        verdict = "n/a" if value is None else ("yes" if value <= limit else "no")
        shown = "-" if value is None else f"{value:.2f}x{wall_txt}"
        lines.append(f"| {text} (CPU time) | {shown} | {verdict} |")

    # Issue #19's targets: at the floor of raw JAX (same params, same init key stream).
    cpu_and_wall(
        "trace of apply, MLP([64]*100) <= 1.05x raw JAX",
        "mlp100.trace",
        "ours",
        "raw.mlp100.trace",
        1.05,
    )
    cpu_and_wall(
        "trace of jax.jit(init), MLP([64]*100) <= 1.15x raw JAX",
        "mlp100.init_trace",
        "ours",
        "raw.mlp100.init_trace",
        1.15,
    )
    cpu_and_wall(
        "eager apply, MLP([64]*100) <= 1.10x raw JAX",
        "mlp100.apply",
        "ours",
        "raw.mlp100.apply",
        1.10,
    )
    cpu_and_wall(
        "eager init, MLP([64]*100) <= 1.3x raw JAX",
        "mlp100.init",
        "ours",
        "raw.mlp100.init",
        1.3,
    )
    same = res.info["ours"].get("init_equals_raw_jax")
    lines.append(
        "| eager init params bit-identical to raw JAX's key stream (and to dm-haiku's) | "
        + ("- | n/a |" if same is None else f"{same} | {'yes' if same else 'no'} |")
    )
    row(
        "`import haiku` increment <= 0.5x dm-haiku's",
        ratio(m("ours", "import.haiku_after_jax"), m("ref", "import.haiku_after_jax")),
        lambda v: v <= 0.5,
    )
    after_jax = m("ours", "import.haiku_only")
    lines.append(
        "| `import haiku` adds a few ms (<= 5 ms) over `import jax` | "
        + (
            "- | n/a |"
            if after_jax is None
            else f"{after_jax:.1f} ms | {'yes' if after_jax <= 5 else 'no'} |"
        )
    )
    for key in ("module_construction", "method_call", "get_parameter"):
        row(
            f"{key} >= 3x cheaper than dm-haiku (ratio <= 0.33)",
            ratio(m("ours", key), m("ref", key)),
            lambda v: v <= 1 / 3,
        )
    for key in res.samples["ours"]:
        if key.startswith("raw.") or not key.endswith(".step"):
            continue
        if m("ours", "raw." + key) is not None:
            rr = res.round_ratios(("ours", key), ("ours", "raw." + key))
            r = ratio(m("ours", key), m("ours", "raw." + key))
            lines.append(
                f"| compiled {key} <= 1.02x raw JAX | {r:.2f}x (rounds {min(rr):.2f}-"
                f"{max(rr):.2f}) | {'yes' if r <= 1.02 else 'no'} |"
            )
    above, noise = [], []
    for key in res.samples["ours"]:
        r = ratio(m("ours", key), m("ref", key))
        if key.startswith("raw.") or r is None or r <= 1.0:
            continue
        rr = res.round_ratios(("ours", key), ("ref", key))
        (noise if rr and min(rr) <= 1.0 else above).append(f"{key} {r:.2f}x")
    lines.append(
        "| every side-by-side metric <= 1.0x dm-haiku | "
        + (", ".join(above) or "all")
        + (f"; within their per-round spread of 1.0: {', '.join(noise)}" if noise else "")
        + f" | {'no' if above else 'yes'} |"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ours", default=sys.executable, help="python of the env with our haiku")
    parser.add_argument("--ref", help="python of the env with dm-haiku (default: hatch bench-ref)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="fewer repeats inside each job")
    parser.add_argument("--only", help="comma-separated script names to run (default: all)")
    parser.add_argument("--markdown", help="also write the report to this file")
    parser.add_argument("--raw-json", help="also dump all samples and info to this file")
    args = parser.parse_args()
    ref = args.ref or find_ref_python()

    jobs = [j for j in JOBS if not args.only or j[0] in args.only.split(",")]
    started = datetime.datetime.now(datetime.UTC)
    load_before = _load()
    res = Results()
    for rnd in range(args.rounds):
        order = [("ours", args.ours), ("ref", ref)]
        if rnd % 2:
            order.reverse()
        for script, extra, info in jobs:
            extra = extra + QUICK.get(script, []) if args.quick else extra
            for label, python in order:
                metrics, details = run_job(python, script, extra, info)
                res.add(label, metrics, details)
            print(
                f"round {rnd + 1}/{args.rounds}: {script} {' '.join(extra)} done (load {_load()})",
                file=sys.stderr,
                flush=True,
            )

    report = [
        f"Run {started:%Y-%m-%d %H:%M} UTC, {args.rounds} rounds, "
        f"load average before {load_before}, after {_load()}.",
        f"Machine: {machine()}.",
        f"- ours: {env_versions(args.ours)}",
        f"- dm-haiku: {env_versions(ref)}",
        "",
        "Medians over rounds (each round value is itself a median inside the job).",
        "",
        *table(res),
        "",
        "Same HLO (optimized HLO of the jitted train step, names and metadata ignored):",
        "",
        *hlo_check(res),
        "",
        *params_check(res),
        "",
        "Targets:",
        "",
        *targets(res),
    ]
    text = "\n".join(report)
    print(text)
    if args.markdown:
        pathlib.Path(args.markdown).write_text(text + "\n")
    if args.raw_json:
        pathlib.Path(args.raw_json).write_text(
            json.dumps({"samples": res.samples, "info": res.info})
        )


if __name__ == "__main__":
    main()
