"""Training across processes on JAX's distributed runtime equals the one-process run.

Each run starts real processes on localhost (``haiku_jaxwrap.local_launch``: gloo CPU
collectives, one coordinator), so the parameter placement, the per-process data loading
and the collectives are those of a multi-host job. The runs are started together and
then compared: 2 processes x 4 devices against 1 process x 8 devices, for a data-parallel
(8 x 1) and a data x model (2 x 4) mesh.
"""

from __future__ import annotations

import json
import pathlib
import sys

import numpy as np
import pytest

pytest.importorskip("haiku_layers")
pytest.importorskip("haiku_nets")
local_launch = pytest.importorskip("haiku_jaxwrap.local_launch")

PROGRAM = pathlib.Path(__file__).with_name("multihost_program.py")
STEPS = 4
SAVE_AT = 2  # the 2-process 2x4 run checkpoints after this many steps


def _results(output: str) -> dict:
    lines = [ln for ln in output.splitlines() if ln.startswith("RESULT ")]
    assert len(lines) == 1, output
    return json.loads(lines[0][len("RESULT ") :])


def _launch(data: int, model: int, processes: int, *extra: str) -> list[dict]:
    result = local_launch.run(
        [sys.executable, str(PROGRAM), str(data), str(model), str(STEPS), *extra],
        processes,
        devices_per_process=8 // processes,
        timeout=600,
        echo=False,
    )
    return [_results(out) for out in result.outputs]


@pytest.fixture(scope="module")
def checkpoint_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("multihost") / "params"


@pytest.fixture(scope="module")
def runs(checkpoint_dir):
    """{(data, model, processes): [result of each process]}, all started in parallel.

    The 2-process 2x4 run also saves its params after SAVE_AT steps (orbax).
    """
    import concurrent.futures

    configs = [(8, 1, 2), (8, 1, 1), (2, 4, 2), (2, 4, 1)]

    def launch(config):
        extra = ("save", str(checkpoint_dir), str(SAVE_AT)) if config == (2, 4, 2) else ()
        return config, _launch(*config, *extra)

    with concurrent.futures.ThreadPoolExecutor(len(configs)) as pool:
        return dict(pool.map(launch, configs))


@pytest.mark.parametrize("data, model", [(8, 1), (2, 4)])
def test_two_processes_train_like_one(runs, data, model):
    two, (one,) = runs[(data, model, 2)], runs[(data, model, 1)]
    assert [r["process"] for r in two] == [0, 1]
    assert all(r["processes"] == 2 and r["devices"] == 8 for r in two)
    assert one["processes"] == 1 and one["devices"] == 8
    for result in two:
        np.testing.assert_allclose(result["losses"], one["losses"], rtol=1e-5)
        for module, bundle in one["params"].items():
            for name, value in bundle.items():
                np.testing.assert_allclose(
                    result["params"][module][name], value, rtol=1e-5, atol=1e-6
                )
    assert one["losses"][-1] < one["losses"][0]  # it trains
    # Identical names and (global) shapes everywhere, as haiku names do not depend on the host.
    assert sorted(two[0]["params"]) == sorted(one["params"]) == ["mlp/~/linear_0", "mlp/~/linear_1"]


def test_params_are_sharded_over_the_model_axis(runs):
    """With the 2 x 4 mesh no device holds a whole weight matrix."""
    for result in runs[(2, 4, 2)]:
        assert result["local_shapes"]["mlp/~/linear_0/w"] == [8, 4]  # [embed, mlp / 4]
        assert result["local_shapes"]["mlp/~/linear_1/w"] == [4, 8]
    for result in runs[(8, 1, 2)]:
        assert result["local_shapes"]["mlp/~/linear_0/w"] == [8, 16]  # replicated


def test_a_checkpoint_of_two_processes_resumes_in_one_on_another_mesh(runs, checkpoint_dir):
    """Saved by 2 processes on a 2x4 mesh, restored by 1 process on an 8x1 mesh."""
    full = runs[(2, 4, 2)][0]
    (resumed,) = _launch(8, 1, 1, "restore", str(checkpoint_dir), str(SAVE_AT))
    np.testing.assert_allclose(resumed["losses"], full["losses"][SAVE_AT:], rtol=1e-5)
    for module, bundle in full["params"].items():
        for name, value in bundle.items():
            np.testing.assert_allclose(resumed["params"][module][name], value, rtol=1e-5, atol=1e-6)
    assert resumed["local_shapes"]["mlp/~/linear_0/w"] == [8, 16]  # placed on the new mesh


BATCHNORM = pathlib.Path(__file__).with_name("multihost_batchnorm.py")


def test_batchnorm_cross_replica_statistics_span_processes():
    """hk.BatchNorm(cross_replica_axis="data") over 2 processes x 4 devices under
    jax.shard_map gives the 1-process x 8-device result: statistics of the global batch."""
    import concurrent.futures

    def launch(processes):
        result = local_launch.run(
            [sys.executable, str(BATCHNORM)],
            processes,
            devices_per_process=8 // processes,
            timeout=600,
            echo=False,
        )
        return [_results(out) for out in result.outputs]

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        two, (one,) = pool.map(launch, [2, 1])
    assert [r["processes"] for r in two] == [2, 2]
    for result in two:
        np.testing.assert_allclose(result["out"], one["out"], rtol=1e-5, atol=1e-6)
        for module, bundle in one["state"].items():
            for name, value in bundle.items():
                np.testing.assert_allclose(result["state"][module][name], value, rtol=1e-5)
    # The zero-debiased moving mean after two updates is the mean of all 16 rows, which
    # only holds if every device averaged over the whole data axis.
    average = np.asarray(one["state"]["batch_norm/~/mean_ema"]["average"]).reshape(-1)
    np.testing.assert_allclose(average, one["batch_mean"], rtol=1e-5)
