"""The grid runner: spec validation, the local engine and Ray Tune giving the same rows, resuming."""

import json
import os
from pathlib import Path

import pytest

from midecay.errors import InputError
from midecay.experiments.grid import GridSpec, run_grid
from midecay.experiments.grid import engines as grid_engines
from midecay.experiments.grid.row import RUN_KEYS
from midecay.experiments.grid.tasks import run_trial

pytestmark = [pytest.mark.needs_torch]

pytest.importorskip("torch")  # the models extra, installed by `make test`

TINY = Path(__file__).resolve().parents[1] / "examples" / "grids" / "tiny.toml"
SMALL = {"grid": {"name": "small", "task": "classify", "data": "mnist-5k", "widths": [6], "seeds": [0, 1],
                  "dilations": [[1, 2], [1, 4]]}, "train": {"n_train": 60, "n_test": 40, "batch": 20}}


def what(rows):
    """The rows without how they ran (timings, engine), in key order."""
    return sorted(({k: v for k, v in r.items() if k not in RUN_KEYS} for r in rows), key=lambda r: r["key"])


@pytest.mark.parametrize("change, message", [
    ({"grid": {"colour": 1}}, "unknown key grid.colour"),
    ({"train": {"epoch": 1}}, "unknown key train.epoch"),
    ({"grid": {"task": "regress"}}, "grid.task must be one of"),
    ({"grid": {"data": "cifar"}}, "grid.data for task classify"),
    ({"grid": {"cell": "tcn"}}, "grid.cell must be one of"),
    ({"grid": {"widths": [0]}}, "grid.widths"),
    ({"grid": {"widths": "20"}}, "grid.widths must be a non-empty list"),
    ({"grid": {"dilations": [[1, 0]]}}, "grid.dilations"),
    ({"grid": {"dilations": [], "design": None}}, "no dilation sets"),
    ({"grid": {"design": "by-eye"}}, "grid.design"),
    ({"train": {"lr": -1}}, "train.lr"),
    ({"train": {"optimizer": "sgd"}}, "train.optimizer"),
    ({"train": {"n_train": 1.5}}, "train.n_train"),
])
def test_spec_errors_name_the_key(change, message):
    data = json.loads(json.dumps(SMALL))
    for table, values in change.items():
        for k, v in values.items():
            if v is None:
                data[table].pop(k, None)
            else:
                data[table][k] = v
    with pytest.raises(InputError, match=message):
        GridSpec.from_dict(data)


def test_spec_from_toml_errors(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[grid\nname = 1")
    with pytest.raises(InputError, match="not valid TOML"):
        GridSpec.from_toml(bad)
    with pytest.raises(InputError, match="not found"):
        GridSpec.from_toml(tmp_path / "missing.toml")
    spec = GridSpec.from_toml(TINY)
    assert len(spec.trials()) == 4 and GridSpec.from_dict(spec.to_dict()) == spec


def test_trial_is_a_pure_function_of_its_spec():
    """The same trial gives the same row (timings aside): seeds and thread count are the trial's."""
    trial = GridSpec.from_dict(SMALL).trials()[0]
    assert what([run_trial(trial)]) == what([run_trial(trial.to_dict())])


def test_interrupted_grid_keeps_finished_trials(tmp_path, monkeypatch):
    """A failure (or Ctrl-C) in trial 3 loses only trial 3: rows 1-2 are on disk and the rerun does the rest."""
    spec = GridSpec.from_dict(SMALL)
    calls = []

    def flaky(trial):
        calls.append(trial)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return run_trial(trial)

    monkeypatch.setattr("midecay.experiments.grid.tasks.run_trial", flaky)
    with pytest.raises(KeyboardInterrupt):
        run_grid(spec, tmp_path / "g")
    assert len(json.loads((tmp_path / "g" / "results.json").read_text())["rows"]) == 2
    assert not [p for p in os.listdir(tmp_path / "g") if p.endswith(".tmp")]
    monkeypatch.setattr("midecay.experiments.grid.tasks.run_trial", run_trial)
    rows = run_grid(spec, tmp_path / "g").rows
    assert len(rows) == 4
    _assert_rows_are_grid_rows(rows, "test_accuracy")


def _assert_rows_are_grid_rows(rows, metric):
    """Every row holds what ``GridRow`` declares as required, nothing it does not declare, and its
    values have the declared types on disk (the reader's check passes)."""
    from typing import get_type_hints

    from midecay.experiments.grid.row import GridRow, checked_row

    declared = set(get_type_hints(GridRow))
    for i, row in enumerate(rows):
        assert GridRow.__required_keys__ <= set(row), sorted(GridRow.__required_keys__ - set(row))
        assert set(row) <= declared, sorted(set(row) - declared)
        assert row["metric"] == metric and metric in row and row["engine"] == "local"
        assert checked_row(json.loads(json.dumps(row)), i) == json.loads(json.dumps(row))


def test_a_folder_from_before_the_named_image_split_is_not_resumed(tmp_path):
    """Hypothesis: classification rows written with the old fixed-seed image split (format /1) are
    refused rather than ranked beside rows on the new split; a language-model grid's /1 folder,
    which no split touches, still resumes."""
    from midecay.experiments.grid import ResultsStore

    for data, refused in ((SMALL, True), ({"grid": {"name": "lm", "task": "charlm", "data": "dataset:ptb",
                                                     "widths": [4], "dilations": [[1, 2]]}}, False)):
        spec = GridSpec.from_dict(data)
        folder = tmp_path / spec.name
        folder.mkdir()
        (folder / "results.json").write_text(json.dumps({"format": "midecay.GridResults/1", "spec": spec.to_dict(),
                                                         "rows": []}))
        if refused:
            with pytest.raises(InputError, match="older midecay.*split the images differently"):
                ResultsStore(folder, spec)
        else:
            assert ResultsStore(folder, spec).rows == {}


def test_results_folder_of_another_grid_is_refused(tmp_path):
    """Hypothesis: a folder holds one spec. Another name, or the same name with other settings
    (once silently added to the old rows and ranked with them), is refused before any trial
    runs, naming each differing key with both values; the same spec resumes."""
    first = {**SMALL, "grid": {**SMALL["grid"], "seeds": [0], "dilations": [[1]]}}
    run_grid(GridSpec.from_dict(first), tmp_path)
    rows = json.loads((tmp_path / "results.json").read_text())["rows"]
    other = GridSpec.from_dict({**SMALL, "grid": {**SMALL["grid"], "name": "other"}})
    with pytest.raises(InputError, match="grid.name: 'small' there, 'other' here"):
        run_grid(other, tmp_path)
    changed = GridSpec.from_dict({**first, "train": {**first["train"], "n_test": first["train"]["n_test"] + 1}})
    with pytest.raises(InputError, match=r"train.n_test: \d+ there, \d+ here\); one folder holds one spec"):
        run_grid(changed, tmp_path)
    assert json.loads((tmp_path / "results.json").read_text())["rows"] == rows
    assert len(run_grid(GridSpec.from_dict(first), tmp_path).rows) == len(rows)


@pytest.mark.needs_ray
@pytest.mark.slow
def test_local_and_ray_engines_give_identical_rows(tmp_path):
    """A seeded 4-trial grid on a local Ray (2 CPUs, started here) and on the local engine: the
    same rows, timings and engine name aside; Tune's experiment folders sit under DIR/ray. A run
    resumes from results.json alone: rows removed from it are run again (the same rows), and a
    pickle planted where Tune keeps its state (``DIR/ray/grid/tuner.pkl``, which Tune's restore
    would unpickle) is never loaded: a results folder is something people hand each other."""
    import pickle

    ray = pytest.importorskip("ray")
    spec = GridSpec.from_dict(SMALL)
    local = run_grid(spec, tmp_path / "local")
    marker = tmp_path / "unpickled"
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        on_ray = run_grid(spec, tmp_path / "ray", engine="ray")
        path = tmp_path / "ray" / "results.json"
        data = json.loads(path.read_text())
        data["rows"] = data["rows"][:2]
        path.write_text(json.dumps(data))
        planted = tmp_path / "ray" / "ray" / "grid"
        planted.mkdir(parents=True, exist_ok=True)
        (planted / "tuner.pkl").write_bytes(pickle.dumps(_Touch(marker)))
        resumed = run_grid(spec, tmp_path / "ray", engine="ray")
    finally:
        ray.shutdown()
    assert not marker.exists()
    assert what(resumed.rows) == what(on_ray.rows)
    assert len(local.rows) == len(on_ray.rows) == 4
    assert what(local.rows) == what(on_ray.rows)
    assert {r["engine"] for r in on_ray.rows} == {"ray"}
    assert len([p for p in (tmp_path / "ray" / "ray").iterdir() if p.name.startswith("grid-")]) == 2


class _Touch:
    """Unpickling it creates ``path``: the planted pickle's tell-tale."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        import pathlib

        return (pathlib.Path.touch, (pathlib.Path(self.path),))


def test_engine_name_is_checked(tmp_path):
    with pytest.raises(InputError, match="unknown engine"):
        run_grid(GridSpec.from_dict(SMALL), tmp_path, engine="slurm")


def test_charlm_trial_on_a_text_file(tmp_path):
    """A language-model trial on any text source: test bits per character below the uniform
    log2(alphabet) after a little training."""
    import math

    text = tmp_path / "t.txt"
    text.write_text("the cat sat on the mat. " * 400)
    spec = GridSpec.from_dict({"grid": {"name": "lm", "task": "charlm", "data": str(text), "widths": [16],
                                        "dilations": [[1, 2, 4]]},
                               "train": {"symbols": 6000, "eval_symbols": 1500, "bptt": 50, "epochs": 2, "batch": 8,
                                         "lr": 0.01, "optimizer": "adam"}})
    row = run_grid(spec, tmp_path / "g").rows[0]
    assert row["metric"] == "test_bpc" and row["test_bpc"] < 0.6 * math.log2(11)
    # the shared training loop records when its first step ran, as the classification trials do
    assert row["first_step_at"] >= row["started_at"] and 0 <= row["first_step_s"] <= row["seconds"]
    _assert_rows_are_grid_rows([row], "test_bpc")


def test_grid_cli(tmp_path):
    from typer.testing import CliRunner

    from midecay.cli import app

    spec = tmp_path / "s.toml"
    spec.write_text('[grid]\nname = "cli"\ntask = "classify"\ndata = "mnist-5k"\nwidths = [4]\ndilations = [[1, 2]]\n'
                    "[train]\nn_train = 40\nn_test = 20\nbatch = 20\n")
    runner = CliRunner()
    res = runner.invoke(app, ["grid", "run", str(spec), "--out", str(tmp_path / "g"), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["rows"][0]["dilations"] == [1, 2]
    res = runner.invoke(app, ["grid", "show", str(tmp_path / "g"), "--json", "--plot", str(tmp_path / "g.png")])
    assert res.exit_code == 0 and json.loads(res.stdout)["ranked"][0]["width"] == 4
    assert (tmp_path / "g.png").stat().st_size > 1000
    res = runner.invoke(app, ["grid", "run", str(spec), "--out", str(tmp_path / "g"), "--engine", "slurm"])
    assert res.exit_code == 1 and "unknown engine 'slurm'" in res.output
    res = runner.invoke(app, ["grid", "show", str(tmp_path / "nothing")])
    assert res.exit_code == 1 and "not found" in res.output
    # --seeds replaces the spec's seeds (a quick look at a grid written for five)
    res = runner.invoke(app, ["grid", "run", str(spec), "--out", str(tmp_path / "s"), "--seeds", "2,1", "--json"])
    assert res.exit_code == 0, res.output
    assert sorted(r["seed"] for r in json.loads(res.stdout)["rows"]) == [1, 2]
    res = runner.invoke(app, ["grid", "run", str(spec), "--out", str(tmp_path / "s"), "--seeds", "a"])
    assert res.exit_code == 1 and "--seeds must be comma-separated integers" in res.output


def test_design_cli(tmp_path):
    from typer.testing import CliRunner

    import midecay
    from midecay.cli import app
    from midecay.synth import gaussian_sign

    curve = midecay.mi_curve(gaussian_sign(1000, 600, alpha=0.5, seed=0).symbols, midecay.log_lags(1, 500, 25), seed=0)
    curve.to_json(tmp_path / "c.json")
    res = CliRunner().invoke(app, ["design", "dilations", str(tmp_path / "c.json"), "--layers", "6", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)["dilations"]
    assert len(d) == 6 and d[0] == 1
    res = CliRunner().invoke(app, ["design", "dilations", str(tmp_path / "c.json"), "--threshold", "tiny"])
    assert res.exit_code == 1 and "--threshold must be" in res.output
    res = CliRunner().invoke(app, ["design", "dilations", str(tmp_path / "c.json"), "--layers", "0"])
    assert res.exit_code == 1 and "--layers must be between 1" in res.output
    res = CliRunner().invoke(app, ["curve", str(tmp_path / "c.json"), "--engine", "spark"])
    assert res.exit_code == 1 and "unknown engine 'spark'" in res.output

