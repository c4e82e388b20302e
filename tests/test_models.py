"""Sequence models: one interface, fast paths equal to their references, exact sampling, safe checkpoints.

Exact reference: an Elman RNN whose weights are set by hand to emit a K-state Markov chain
(one-hot hidden state h = 2 e_x - 1 via tanh of a large input, read-out logits = ln P[x, :]),
whose samples must show the chain's exact MI, I(d) = sum_ab pi_a (P^d)_ab ln[(P^d)_ab / pi_b].
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")  # the models extra; `make test` installs it, a core-only install skips this module

import midecay  # noqa: E402
from midecay.errors import InputError
from midecay.models import (
    Checkpoint,
    DilatedRNN,
    ModelConfig,
    RecurrentLM,
    TransformerLM,
    build_model,
    load_checkpoint,
    sample,
    save_checkpoint,
)
from midecay.models.dilated import dilated_reference
from midecay.synth.markov import markov_mi, stationary_distribution

pytestmark = [pytest.mark.needs_torch]


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("dilations", [(1, 2, 4), (3, 1, 5)])
@pytest.mark.parametrize("residual", [False, True])
def test_dilated_fold_equals_the_per_step_loop(cell, dilations, residual):
    """Folding the dilation into the batch gives the per-step recurrence h_t = f(x_t, h_{t-r}) exactly (with or without residual connections)."""
    model = build_model(ModelConfig("dilated", vocab_size=5, width=6, embedding=4, dilations=dilations, cell=cell, seed=1,
                                    residual=residual))
    codes = torch.randint(0, 5, (3, 23), generator=torch.Generator().manual_seed(0))
    fast, _ = model(codes)
    slow = dilated_reference(model, codes)
    assert torch.allclose(fast, slow, atol=1e-5)


def test_residual_changes_outputs_not_sizes():
    plain = build_model(ModelConfig("dilated", vocab_size=5, width=6, embedding=4, dilations=(1, 2), seed=1))
    res = build_model(ModelConfig("dilated", vocab_size=5, width=6, embedding=4, dilations=(1, 2), seed=1, residual=True))
    codes = torch.randint(0, 5, (2, 9), generator=torch.Generator().manual_seed(0))
    assert plain.n_parameters() == res.n_parameters()
    assert not torch.allclose(plain(codes)[0], res(codes)[0])
    with pytest.raises(InputError, match="residual is for arch='dilated'"):
        ModelConfig("gru", vocab_size=5, residual=True)


def test_dilation_one_is_the_plain_rnn():
    dilated = DilatedRNN(ModelConfig("dilated", vocab_size=4, width=5, embedding=3, dilations=(1,), cell="gru"))
    plain = RecurrentLM(ModelConfig("gru", vocab_size=4, width=5, embedding=3))
    plain.embed.load_state_dict(dilated.embed.state_dict())
    plain.rnn.load_state_dict(dilated.layers[0].state_dict())
    plain.head.load_state_dict(dilated.head.state_dict())
    codes = torch.randint(0, 4, (2, 17), generator=torch.Generator().manual_seed(1))
    assert torch.allclose(dilated(codes)[0], plain(codes)[0], atol=1e-6)


@pytest.mark.parametrize("arch", ["rnn", "lstm", "gru", "transformer"])
def test_step_by_step_equals_forward(arch):
    """The sampling path (start/step, with a KV cache for the transformer) gives forward's logits."""
    model = build_model(ModelConfig(arch, vocab_size=6, width=16, heads=2, depth=2, context=32, seed=2)).eval()
    codes = torch.randint(0, 6, (3, 20), generator=torch.Generator().manual_seed(2))
    full, _ = model(codes)
    state = model.start(3)
    for t in range(20):
        logits, state = model.step(codes[:, t], state)
        assert torch.allclose(logits, full[:, t], atol=1e-5), t


def test_transformer_window_slides_past_its_context():
    """Past the context the cache is rebuilt from its last half and the new token, positions from 0."""
    model = TransformerLM(ModelConfig("transformer", vocab_size=4, width=8, heads=2, context=8)).eval()
    codes = torch.randint(0, 4, (2, 12), generator=torch.Generator().manual_seed(3))
    state = model.start(2)
    for t in range(9):
        logits, state = model.step(codes[:, t], state)
    # The 9th token finds the 8-token cache full: the last 4 cached (tokens 4..7) and the new one
    # are recomputed from position 0.
    expected, _ = model(codes[:, 4:9])
    assert torch.allclose(logits, expected[:, -1], atol=1e-5)
    with pytest.raises(InputError, match="longer than the context"):
        model(codes)


def test_sampling_is_seeded_batched_and_segmented():
    model = build_model(ModelConfig("lstm", vocab_size=3, width=8, seed=4))
    a = sample(model, 4, 50, seed=7, alphabet=("x", "y", "z"))
    b = sample(model, 4, 50, seed=7, alphabet=("x", "y", "z"))
    c = sample(model, 4, 50, seed=8, alphabet=("x", "y", "z"))
    assert np.array_equal(a.codes, b.codes) and not np.array_equal(a.codes, c.codes)
    assert a.bounds.tolist() == [0, 50, 100, 150, 200] and a.alphabet == ("x", "y", "z")
    assert a.provenance["seed"] == 7 and a.provenance["arch"] == "lstm"
    for bad in ({"length": 0}, {"n_streams": 0}, {"temperature": 0.0}):
        with pytest.raises(InputError):
            sample(model, **{"n_streams": 2, "length": 5, **bad})


def markov_rnn(P: np.ndarray, scale: float = 20.0) -> RecurrentLM:
    """An Elman RNN that emits the Markov chain P exactly (up to tanh(scale/2) = 1 - 4e-9)."""
    k = len(P)
    model = RecurrentLM(ModelConfig("rnn", vocab_size=k, width=k, embedding=k))
    logp = np.log(P)  # logp[a, b] = ln P(b | a)
    with torch.no_grad():
        model.embed.weight.zero_()
        model.embed.weight[:k] = torch.eye(k) * scale  # the start token's row stays 0: h = -1, logits 0
        model.rnn.weight_ih_l0.copy_(torch.eye(k))
        model.rnn.weight_hh_l0.zero_()
        model.rnn.bias_ih_l0.fill_(-scale / 2)
        model.rnn.bias_hh_l0.zero_()
        model.head.weight.copy_(torch.tensor(logp.T / 2))  # h = 2 e_x - 1, so W h + b = ln P[x, :]
        model.head.bias.copy_(torch.tensor(logp.sum(axis=0) / 2))
    return model


def test_hand_set_rnn_samples_the_markov_chain_exactly():
    """Hypothesis: the samples' curve equals the chain's exact MI at d = 1…50 within the jackknife error."""
    rng = np.random.default_rng(5)
    P = rng.dirichlet(np.full(4, 0.6), size=4) * 0.92 + 0.02
    model = markov_rnn(P)
    with torch.no_grad():
        step = model.step(torch.tensor([2]), model.start(1))[0]
    assert torch.allclose(torch.log_softmax(step, -1)[0], torch.tensor(np.log(P[2]), dtype=torch.float32), atol=1e-5)
    s = sample(model, 200, 5000, seed=0, burn_in=30)
    lags = np.arange(1, 51)
    curve = midecay.mi_curve(s, lags, seed=0)
    exact = markov_mi(P, lags, stationary_distribution(P))
    z = (curve.floor_removed - exact) / curve.stderr
    assert np.max(np.abs(z)) < 4 and np.mean(z**2) < 2.0
    assert exact[0] > 0.05 and exact[-1] < 1e-4  # the test covers decay from strong to negligible


def test_checkpoint_round_trip_and_bad_files(tmp_path):
    model = build_model(ModelConfig("dilated", vocab_size=3, width=6, dilations=(1, 2), cell="lstm", seed=3))
    path = save_checkpoint(Checkpoint(model, ("a", "b", "c"), [{"epoch": 1, "val_bpc": 1.5}]), tmp_path / "m.pt")
    back = load_checkpoint(path)
    codes = torch.randint(0, 3, (2, 9), generator=torch.Generator().manual_seed(0))
    assert torch.equal(back.model(codes)[0], model(codes)[0])
    assert back.alphabet == ("a", "b", "c") and back.history == [{"epoch": 1, "val_bpc": 1.5}]
    assert back.model.config == model.config
    with pytest.raises(FileExistsError):
        save_checkpoint(Checkpoint(model, ("a", "b", "c")), path)
    (tmp_path / "cut.pt").write_bytes(path.read_bytes()[:200])
    torch.save({"something": torch.zeros(2)}, tmp_path / "foreign.pt")
    wrong = build_model(ModelConfig("lstm", vocab_size=3, width=7))
    payload = torch.load(path, weights_only=True)
    payload["state_dict"] = wrong.state_dict()
    torch.save(payload, tmp_path / "mismatch.pt")
    for name, message in (("cut.pt", "not a readable"), ("foreign.pt", "not a midecay checkpoint"),
                          ("mismatch.pt", "does not match"), ("missing.pt", "not found")):
        with pytest.raises(InputError, match=message):
            load_checkpoint(tmp_path / name)


def test_config_is_validated_and_round_trips():
    c = ModelConfig("transformer", vocab_size=7, width=32, heads=4, depth=2, context=64, positions="learned")
    assert ModelConfig.from_dict(c.to_dict()) == c
    for kwargs, message in (
        ({"arch": "mamba"}, "unknown arch"),
        ({"arch": "dilated", "dilations": (1, -2)}, "dilations must be between 1 and 1048576, got -2"),
        ({"arch": "dilated", "dilations": (1, "2")}, "dilations must be an integer, got '2' \\(text"),
        ({"arch": "dilated", "dilations": ()}, "non-empty list of positive integers"),
        ({"arch": "lstm", "residual": 1}, "residual must be true or false, got 1"),
        ({"arch": "transformer", "width": 30, "heads": 4}, "multiple of heads"),
        ({"arch": "lstm", "dilations": (1, 2)}, "arch='dilated'"),
        ({"arch": "lstm", "width": 0}, "width"),
    ):
        with pytest.raises(InputError, match=message):
            ModelConfig(**{"vocab_size": 3, **kwargs})
    with pytest.raises(InputError, match="unknown model config key"):
        ModelConfig.from_dict({"arch": "rnn", "vocab_size": 3, "widht": 4})


# ------------------------------------------------------------------ training
from midecay.models import TrainConfig, train  # noqa: E402
from midecay.synth import markov  # noqa: E402


def test_lstm_learns_a_markov_chain():
    """Hypothesis: an LSTM trained on a 4-state chain reaches a validation loss within 3 % of the
    chain's entropy rate h = -sum pi_a P_ab ln P_ab, and its samples carry the chain's exact MI at
    d = 1…20 within the errors of its own training data (it can only learn the sample it saw)."""
    rng = np.random.default_rng(1)
    P = rng.dirichlet(np.full(4, 0.5), size=4) * 0.9 + 0.025
    pi = stationary_distribution(P)
    entropy_rate = -np.sum(pi[:, None] * P * np.log(P))
    data = markov(P, 200_000, seed=0).symbols
    ck = train(ModelConfig("lstm", vocab_size=4, width=16, embedding=8), data,
               config=TrainConfig(epochs=8, batch=32, bptt=50, lr=2e-3, seed=0))
    best = min(h["valid_loss"] for h in ck.history)
    assert abs(best - entropy_rate) < 0.03 * entropy_rate
    lags = np.arange(1, 21)
    samples = midecay.mi_curve(sample(ck.model, 100, 5000, seed=0, burn_in=20), lags, seed=0)
    training = midecay.mi_curve(data, lags, seed=0)
    exact = markov_mi(P, lags, pi)
    z = (samples.floor_removed - exact) / np.hypot(samples.stderr, training.stderr)
    assert np.max(np.abs(z)) < 4
    assert exact[0] > 0.05  # a chain with real dependence to learn


def test_training_is_seeded_and_resumable(tmp_path):
    """Same seed, same weights; 2 epochs + resume to 4 equals 4 epochs straight (an epoch's batches
    depend only on the seed and the epoch, and the optimiser state travels in the checkpoint)."""
    data = markov(np.array([[0.9, 0.1], [0.2, 0.8]]), 20_000, seed=1).symbols
    model = ModelConfig("gru", vocab_size=2, width=8)

    def run(epochs, **kwargs):
        cfg = TrainConfig(epochs=epochs, batch=8, bptt=25, patience=10, seed=3)
        return train(model, data, config=cfg, **kwargs)

    a, b = run(2), run(2)
    assert all(torch.equal(x, y) for x, y in zip(a.model.state_dict().values(), b.model.state_dict().values()))
    straight = run(4)
    path = tmp_path / "run.pt"
    run(2, checkpoint=path)
    with pytest.raises(FileExistsError):
        run(4, checkpoint=path)
    # The 2-epoch run finished (its last epoch stopped it): resuming with more epochs continues it.
    cfg4 = TrainConfig(epochs=4, batch=8, bptt=25, patience=10, seed=3)
    ck2 = load_checkpoint(path)
    assert ck2.extra["finished"] and len(ck2.history) == 2
    with pytest.raises(InputError, match=r"trained with other settings \(train.epochs: 2 there, 4 here\)"):
        train(model, data, config=cfg4, checkpoint=path, resume=True)
    partial = tmp_path / "partial.pt"
    interrupted = TrainConfig(epochs=4, batch=8, bptt=25, patience=10, seed=3)
    _stop_after_two_epochs(model, data, interrupted, partial)
    resumed = train(model, data, config=interrupted, checkpoint=partial, resume=True)
    assert [h["epoch"] for h in resumed.history] == [0, 1, 2, 3]
    assert all(torch.equal(x, y) for x, y in zip(resumed.model.state_dict().values(), straight.model.state_dict().values()))


def _stop_after_two_epochs(model, data, cfg, path):
    """Simulate Ctrl-C after the second epoch's checkpoint was written."""
    import sys

    train_module = sys.modules["midecay.models.training"]

    original = train_module.evaluate_loss
    calls = {"n": 0}

    def interrupting(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    train_module.evaluate_loss = interrupting
    try:
        with pytest.raises(KeyboardInterrupt):
            train(model, data, config=cfg, checkpoint=path)
    finally:
        train_module.evaluate_loss = original
    assert len(load_checkpoint(path).history) == 2


def test_training_refuses_bad_setups():
    data = midecay.encode("abcabcab" * 100)
    with pytest.raises(InputError, match="vocab_size"):
        train(ModelConfig("lstm", vocab_size=5, width=4), data)
    with pytest.raises(InputError, match="context"):
        train(ModelConfig("transformer", vocab_size=3, width=8, heads=2, context=2000), data)
    with pytest.raises(InputError, match="carries a recurrent state"):
        train(ModelConfig("transformer", vocab_size=3, width=8, heads=2, context=16), data, config=TrainConfig(mode="stream"))
    with pytest.raises(InputError, match="unknown mode"):
        TrainConfig(mode="online")


# ------------------------------------------------------------------ command line
def test_cli_train_sample_evaluate(tmp_path):
    """`midecay train` -> checkpoint, `sample` -> .npz that `curve` reads, `evaluate` -> one result."""
    import json

    from typer.testing import CliRunner

    from midecay.cli import app
    from midecay.model_evaluation import ModelEvaluation

    runner = CliRunner()

    def run(*args):
        return runner.invoke(app, [str(a) for a in args])

    data = tmp_path / "chain.npz"
    markov(np.array([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]]), 30_000, seed=0).symbols.save(data)
    toml = tmp_path / "run.toml"
    toml.write_text('[model]\narch = "dilated"\ndilations = [1, 2]\ncell = "gru"\nwidth = 8\n[train]\nepochs = 2\nbatch = 8\nbptt = 40\n')
    ckpt = tmp_path / "m.pt"
    res = run("train", data, "--config", toml, "--width", 12, "--out", ckpt, "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["model"]["width"] == 12 and out["model"]["dilations"] == [1, 2] and out["epochs_run"] == 2
    samples = tmp_path / "s.npz"
    assert run("sample", ckpt, "--streams", 4, "--length", 300, "--out", samples, "--quiet").exit_code == 0
    curve = run("curve", samples, "--lags", "1,2,3", "--json", "--blocks", 4)
    assert curve.exit_code == 0 and json.loads(curve.stdout)["n_segments"] == 4
    ev_path = tmp_path / "ev.json"
    res = run("evaluate", ckpt, "--data", data, "--lags", "1:20:5log", "--streams", 4, "--length", 500, "--out", ev_path, "--json")
    assert res.exit_code == 0, res.output
    evaluation = ModelEvaluation.from_json(ev_path)
    assert evaluation.comparison.names == ("data", "samples") and evaluation.model["arch"] == "dilated"
    other = tmp_path / "other.npz"
    midecay.encode(np.arange(5000) % 7).save(other)
    for args, message in (
        (["evaluate", ckpt, "--data", other], "alphabet"),
        (["sample", ckpt, "--length", 0, "--out", tmp_path / "x.npz"], "length"),
        (["train", data, "--arch", "dilated", "--dilations", "1,0", "--out", tmp_path / "y.pt"], "positive integers"),
        (["train", data, "--arch", "lstm", "--out", ckpt], "exists"),
        (["sample", tmp_path / "missing.pt", "--out", tmp_path / "z.npz"], "not found"),
    ):
        res = run(*args)
        assert res.exit_code == 1 and message in res.stderr and "Traceback" not in res.output, (args, res.output)


def test_scaling_sweep_records_each_cell_and_resumes(tmp_path, monkeypatch):
    """Each finished cell is saved; a rerun recomputes nothing (and a changed budget recomputes)."""
    from midecay.experiments import scaling
    from midecay.experiments.scaling import ScalingResult, ScalingSpec, scaling_sweep
    from midecay.synth import gaussian_sign

    data = gaussian_sign(200, 256, alpha=0.5, seed=0).symbols
    spec = ScalingSpec(archs=("rnn",), widths=(2, 4), lags=(1, 2, 4, 8, 16), streams=32, length=256,
                       train={"epochs": 1, "batch": 20, "steps_per_epoch": 3})
    store = tmp_path / "results.json"
    first = scaling_sweep(data, spec, store=store)
    assert [(r["arch"], r["width"]) for r in first.rows] == [("rnn", 2), ("rnn", 4)]
    assert first.rows[1]["parameters"] > first.rows[0]["parameters"] and all(r["valid_bps"] > 0 for r in first.rows)
    # one epoch, nothing to stop on: no row may claim a converged model, and the table says so
    assert all(r["converged"] is False and r["epochs"] == 1 and r["restarts"] == 1 for r in first.rows)
    assert "no (1 ep)" in first.summary()
    calls = []
    monkeypatch.setattr(scaling, "run_cell", lambda *a, **k: calls.append(a) or {})
    again = scaling_sweep(data, spec, store=store)
    assert calls == [] and again.to_dict() == first.to_dict()
    scaling_sweep(data, ScalingSpec(**{**spec.__dict__, "streams": 16}), store=store)
    assert len(calls) == 2
    # a spent time budget starts no new cell: the finished ones come back, and the next chunk continues
    seeded = ScalingSpec(**{**spec.__dict__, "seeds": (0, 1)})
    assert scaling_sweep(data, seeded, store=store, deadline=0.0).rows == () and len(calls) == 2
    assert len(scaling_sweep(data, seeded, store=store).rows) == 4 and len(calls) == 6
    path = tmp_path / "table.json"
    first.to_json(path)
    assert ScalingResult.from_json(path).to_dict() == first.to_dict()


def test_convergence_names_the_run_that_was_kept():
    """Hypothesis: convergence is judged on the restart holding the best validation loss, by
    whether that run went `patience` epochs without improving (stopped by the loss, not the budget)."""
    from midecay.experiments.scaling import convergence

    run = lambda r, losses: [{"restart": r, "valid_loss": v} for v in losses]  # noqa: E731
    assert convergence(run(0, [3, 2, 2.5, 2.6]), 2) == {"converged": True, "restarts": 1, "best_restart": 0, "epochs": 4}
    assert not convergence(run(0, [3, 2, 2.5]), 2)["converged"]  # waited 1 epoch of 2
    kept_unfinished = run(0, [3, 2, 2.5, 2.6]) + run(1, [2.2, 1.9])
    assert convergence(kept_unfinished, 2) == {"converged": False, "restarts": 2, "best_restart": 1, "epochs": 2}
    assert convergence(run(0, [3, 2, 2.5, 2.6]) + run(1, [2.2, 2.1]), 2)["converged"]


def test_cosine_decay_is_seeded_and_changes_the_steps():
    """Hypothesis: the cosine schedule depends on the step only (same seed, same history) and is used
    (its history differs from a constant rate's); an unknown schedule is one line naming the choices."""
    data = markov(np.array([[0.9, 0.1], [0.2, 0.8]]), 5_000, seed=1).symbols
    cfg = dict(epochs=3, batch=8, bptt=25, steps_per_epoch=5, lr=0.05, optimizer="adam")
    runs = [train(ModelConfig("gru", vocab_size=2, width=4), data, config=TrainConfig(**cfg, decay=d)).history
            for d in ("cosine", "cosine", "none")]
    assert runs[0] == runs[1] and runs[0] != runs[2]
    with pytest.raises(InputError, match="unknown decay 'linear'; choose one of: none, cosine"):
        TrainConfig(decay="linear")


def test_time_budget_ends_training_after_the_epoch_that_passes_it():
    data = markov(np.array([[0.9, 0.1], [0.2, 0.8]]), 20_000, seed=1).symbols
    ck = train(ModelConfig("gru", vocab_size=2, width=8), data,
               config=TrainConfig(epochs=50, batch=8, bptt=25, patience=50, restarts=3, time_budget=1e-6))
    assert len(ck.history) == 1 and ck.extra["finished"]


@pytest.mark.parametrize("bad, message", [
    ({"lr": float("inf")}, "lr must be a finite number"),
    ({"lr": "1e-3"}, "lr must be a number, got .1e-3. \\(text; write numbers without quotes\\)"),
    ({"time_budget": "5"}, "time_budget"),
    ({"reset_prob": None}, "reset_prob must be a number"),
    ({"clip": float("nan")}, "clip must be a finite number"),
])
def test_train_config_refuses_non_numbers_and_non_finite_values(bad, message):
    """Hypothesis: a quoted number in a TOML file, None or a non-finite value is one line naming
    the key (they once raised a raw TypeError, or trained with every loss NaN)."""
    with pytest.raises(InputError, match=message):
        TrainConfig.from_dict(bad)


def test_a_diverged_loss_stops_training_with_one_line(monkeypatch, tmp_path):
    """Hypothesis: once the training loss is not finite, training stops with an InputError naming
    the step and the learning rate, and writes no checkpoint of NaN weights."""
    import sys

    train_module = sys.modules["midecay.models.training"]
    data = markov(np.array([[0.9, 0.1], [0.2, 0.8]]), 5_000, seed=1).symbols
    real = train_module.F.cross_entropy
    monkeypatch.setattr(train_module.F, "cross_entropy", lambda *a, **k: real(*a, **k) * float("nan"))
    with pytest.raises(InputError, match=r"training diverged: the loss is nan at step 1; lower the learning rate"):
        train(ModelConfig("gru", vocab_size=2, width=4), data, config=TrainConfig(epochs=2, batch=4, bptt=20),
              checkpoint=tmp_path / "nan.pt")
    assert not (tmp_path / "nan.pt").exists()


@pytest.mark.needs_torch
def test_checkpoint_with_nan_weights_is_refused(tmp_path):
    """Hypothesis: a checkpoint whose weights hold NaN (a diverged run) is refused on load, by name,
    and sampling never reaches torch.multinomial's traceback."""
    from typer.testing import CliRunner

    from midecay.cli import app

    model = build_model(ModelConfig("lstm", vocab_size=3, width=4))
    with torch.no_grad():
        next(iter(model.parameters())).fill_(float("nan"))
    path = tmp_path / "nan.pt"
    save_checkpoint(Checkpoint(model, ("a", "b", "c")), path)
    with pytest.raises(InputError, match="holds NaN or infinite weights"):
        load_checkpoint(path)
    res = CliRunner().invoke(app, ["sample", str(path), "--streams", "2", "--length", "5", "--out", str(tmp_path / "s.npz")])
    assert res.exit_code == 1 and "NaN or infinite weights" in res.stderr and "Traceback" not in res.output


def test_evaluate_seeds_gives_intervals_over_training_seeds(tmp_path):
    """Hypothesis: one configuration's runs (here: three weight seeds) are evaluated against one
    data curve, estimated once; each quantity's interval is the Student-t interval of the per-seed
    values; one run resolves nothing and says so; runs of two configurations are refused."""
    import json

    from scipy.stats import t as student
    from typer.testing import CliRunner

    from midecay.cli import app
    from midecay.model_evaluation import SeedsEvaluation
    from midecay.models import evaluate_seeds

    data = markov(np.array([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]]), 20_000, seed=0).symbols
    runs = [Checkpoint(build_model(ModelConfig("gru", vocab_size=3, width=8, seed=s)), data.alphabet) for s in range(3)]
    ev = evaluate_seeds(runs, data, [1, 2, 3, 5, 8], n_streams=4, length=600, seed=1)
    assert ev.n_seeds == 3 and all(e.data_curve is ev.evaluations[0].data_curve for e in ev.evaluations)
    fid = ev.values("fidelity")
    assert np.isfinite(fid).all() and np.ptp(fid) > 0  # the seeds differ
    half = student.ppf(0.975, 2) * fid.std(ddof=1) / np.sqrt(3)
    assert ev.interval("fidelity") == pytest.approx((fid.mean(), fid.mean() - half, fid.mean() + half))
    again = SeedsEvaluation.from_dict(json.loads(ev.to_json()))
    assert again.names == ev.names and np.allclose(again.values("fidelity"), fid)
    one = evaluate_seeds(runs[:1], data, [1, 2, 3], n_streams=4, length=400)
    assert "no difference between configurations is resolved" in one.summary() and np.isnan(one.interval("xi")[1])
    with pytest.raises(InputError, match="differ in configuration"):
        evaluate_seeds([runs[0], Checkpoint(build_model(ModelConfig("lstm", vocab_size=3, width=8)), data.alphabet)],
                       data, [1, 2], n_streams=2, length=200)
    paths = []
    for i, ck in enumerate(runs[:2]):
        paths.append(save_checkpoint(ck, tmp_path / f"seed{i}.pt"))
    data_path = tmp_path / "chain.npz"
    data.save(data_path)
    res = CliRunner().invoke(app, ["evaluate-seeds", *map(str, paths), "--data", str(data_path), "--lags", "1,2,3",
                                   "--streams", "4", "--length", "400", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["names"] == ["seed0", "seed1"] and out["aggregate"]["fidelity"]["n_seeds"] == 2


def test_train_has_an_option_for_every_config_field():
    """Hypothesis: every field of ModelConfig and TrainConfig is a `midecay train` option (or is named here
    as set otherwise), so a new field cannot drift away from the command line unnoticed."""
    import dataclasses

    import typer
    from typer.main import get_command

    from midecay.cli import model_cmds
    from midecay.models import ModelConfig, TrainConfig

    app = typer.Typer()
    model_cmds.register(app)
    options = {p.name for p in get_command(app).commands["train"].params}
    set_otherwise = {"vocab_size"}  # from the data's alphabet
    fields = {f.name for f in dataclasses.fields(ModelConfig)} | {f.name for f in dataclasses.fields(TrainConfig)}
    assert fields - set_otherwise <= options, sorted(fields - set_otherwise - options)


@pytest.mark.parametrize("arch", ["rnn", "lstm", "transformer", "dilated"])
def test_a_model_scores_each_token_as_it_samples_it(arch):
    """Hypothesis: ModelScorer's one forward pass gives each token the log-probability the model's own
    step-by-step interface gives it after the start token, for every architecture (no shift by one)."""
    import torch

    from midecay.models import ModelScorer, build_model

    extra = {"dilations": (1, 2)} if arch == "dilated" else {"context": 16} if arch == "transformer" else {}
    model = build_model(midecay.models.ModelConfig(arch, vocab_size=5, width=8, **extra)).eval()
    rows = np.random.default_rng(0).integers(0, 5, (3, 10))
    batched = ModelScorer(model, batch=2).log_probs(rows)
    with torch.no_grad():
        state, token = model.start(3), torch.full((3,), model.bos)
        for t in range(rows.shape[1]):
            logits, state = model.step(token, state)
            step = torch.log_softmax(logits.float(), dim=-1)[torch.arange(3), torch.as_tensor(rows[:, t])].numpy()
            assert np.allclose(batched[:, t], step, atol=1e-5), (arch, t)
            token = torch.as_tensor(rows[:, t])
