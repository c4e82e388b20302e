"""``midecay lm sample|evaluate|models``: pretrained causal language models (the extra ``lm``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ._common import (
    ForceOpt,
    JsonOpt,
    Output,
    QuietOpt,
    check_outputs,
    parse_lags,
    resume_hint,
    saved_in,
    needs,
    user_errors,
)


def _quiet_transformers() -> None:
    """transformers' own log (deprecation notes of its internals) is not the user's business on this command line."""
    from ..models.pretrained import load_transformers

    load_transformers().utils.logging.set_verbosity_error()


lm_app = typer.Typer(help="Pretrained causal LMs: sample them, measure what they write.", no_args_is_help=True)


@lm_app.command("models")
@user_errors
@needs("lm models", "torch", "transformers")
def models(as_json: JsonOpt = False) -> None:
    """The named models (usable offline after the set-up)."""
    from ..models.pretrained import NAMED_MODELS

    io = Output(as_json, False)
    io.result({name: m.description for name, m in NAMED_MODELS.items()},
              "\n".join(f"{name:<16} {m.description}" for name, m in NAMED_MODELS.items()))


@lm_app.command("sample")
@user_errors
@needs("lm sample", "torch", "transformers")
@resume_hint(lambda kw: saved_in(kw["out"], "the finished streams"))
def sample(
    model: Annotated[str, typer.Argument(help="A named model (smollm2-135m), a hub name, a model folder or a .gguf file.")],
    out: Annotated[Path, typer.Option(help="The samples (.npz); an unfinished file made with the same settings is continued.")],
    streams: Annotated[int, typer.Option(help="Number of independent streams.")] = 500,
    tokens: Annotated[int, typer.Option(help="Tokens per stream.")] = 1024,
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same samples.")] = 0,
    batch: Annotated[int, typer.Option(help="Streams sampled together.")] = 8,
    temperature: Annotated[float, typer.Option(help="Softmax temperature.")] = 1.0,
    top_k: Annotated[int, typer.Option(help="Sample among the k most likely tokens (0: all).")] = 0,
    top_p: Annotated[float, typer.Option(help="Nucleus sampling mass (1: all).")] = 1.0,
    allow_eos: Annotated[bool, typer.Option(help="Let streams emit the end-of-text token (masked by default).")] = False,
    device: Annotated[str, typer.Option(help="cpu | cuda | cuda:N | auto (the GPU when torch sees one).")] = "auto",
    force: ForceOpt = False,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Sample unconditional streams from a pretrained causal LM (resumable, seeded)."""
    from ..models.pretrained import load_lm, sample_lm

    io = Output(as_json, quiet)
    check_outputs(True, out)  # an existing file is continued, not refused; the place must be writable
    _quiet_transformers()
    if force and out.exists():
        out.unlink()
    io.info(f"loading {model} ...")
    lm = load_lm(model, allow_eos=allow_eos, device=device, progress=io.progress)
    io.info(f"{lm.n_parameters():,} parameters, vocabulary {lm.config.vocab_size:,}; sampling {streams} x {tokens} tokens "
            f"on {next(lm.parameters()).device}")
    result = sample_lm(lm, streams, tokens, seed=seed, batch=batch, temperature=temperature, top_k=top_k, top_p=top_p,
                       out=out, progress=io.progress)
    io.info(f"wrote {out}")
    n_chars = sum(len(t) for t in result.texts)
    io.result({"out": str(out), **result.meta, "characters": n_chars},
              f"{len(result.tokens)} streams x {tokens} tokens ({n_chars:,} characters) -> {out}\n"
              f"first stream: {result.texts[0][:200]!r}")


@lm_app.command("evaluate")
@user_errors
@needs("lm evaluate", "torch", "transformers")
def evaluate(
    samples: Annotated[Path, typer.Argument(help="Samples written by `midecay lm sample`.")],
    reference: Annotated[str, typer.Option(help="Reference corpus: dataset:NAME[/SPLIT] or a text file.")],
    level: Annotated[str, typer.Option(help="char (decoded text) | token (the model's tokens)")] = "char",
    lags: Annotated[Optional[str], typer.Option(help="Lags (default: 30 log-spaced up to the stream length or 1000).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the shuffle floor.")] = 0,
    estimator: Annotated[str, typer.Option(help="grassberger | miller_madow | plugin | nsb | chao_shen")] = "grassberger",
    out: Annotated[Optional[Path], typer.Option(help="Write the evaluation as JSON here.")] = None,
    plot: Annotated[Optional[Path], typer.Option(help="Write the figure (both curves, fits) as a PNG here.")] = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """The samples' MI curve against the reference's, size-matched, with fits and the comparison verdict."""
    from ..models.pretrained import LMSamples, evaluate_lm

    io = Output(as_json, quiet)
    check_outputs(force, out, figure=plot)
    _quiet_transformers()
    drawn = LMSamples.load(samples)
    result = evaluate_lm(drawn, reference, level=level, lags=parse_lags(lags) if lags else None, seed=seed,
                         estimator=estimator, progress=io.progress)
    io.save(result, out, plot, force)
    io.result(result.to_dict(), result.summary())


@lm_app.command("bipartite")
@user_errors
@needs("lm bipartite", "torch", "transformers")
@resume_hint(lambda kw: saved_in(_progress_file(kw["out"]), "the documents scored") if kw.get("out") else "")
def bipartite(
    model: Annotated[str, typer.Argument(help="The LM that reads the documents: a named model (smollm2-135m), a folder or a .gguf file.")],
    data: Annotated[str, typer.Option(help="Documents: dataset:NAME[/SPLIT] or a text file (windows of its running text), or "
                                            "samples written by `midecay lm sample` (.npz, the model's own tokens).")],
    documents: Annotated[int, typer.Option(help="Documents to read: disjoint windows of twice the longest split, at seeded offsets.")] = 200,
    splits: Annotated[str, typer.Option(help="First-block lengths l, comma-separated; the second block is as long.")] = "1,2,4,8,16,32,64",
    head_tokens: Annotated[int, typer.Option(help="First tokens of the second block read alone that take the corpus's n-gram "
                                                  "entropy instead of the model's document-start guess (0: none).")] = 1,
    seed: Annotated[int, typer.Option(help="Seed of where the windows lie.")] = 0,
    batch: Annotated[int, typer.Option(help="Documents per forward pass.")] = 8,
    two_point: Annotated[bool, typer.Option(help="Also measure the two-point MI curve of the same tokens (figure, JSON).")] = True,
    device: Annotated[str, typer.Option(help="cpu | cuda | cuda:N | auto (the GPU when torch sees one).")] = "auto",
    out: Annotated[Optional[Path], typer.Option(help="Write the result as JSON here; a run stopped early continues from "
                                                     "OUT.partial.json with the same settings.")] = None,
    plot: Annotated[Optional[Path], typer.Option(help="Write the figure (bipartite and two-point scalings) as a PNG here.")] = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Bipartite MI I(x_1..x_l; x_l+1..x_2l) of documents read by a causal LM (L2M's direct estimator), its power law in l."""
    from ..models.pretrained import lm_bipartite, load_lm
    from ._common import parse_int_list

    io = Output(as_json, quiet)
    check_outputs(force, out, figure=plot)
    _quiet_transformers()
    ells = parse_int_list(splits, "splits")
    io.info(f"loading {model} ...")
    lm = load_lm(model, device=device, progress=io.progress)
    io.info(f"reading {documents} documents of {2 * max(ells)} tokens on {next(lm.parameters()).device}")
    result = lm_bipartite(lm, data, ells, documents=documents, head_tokens=head_tokens, seed=seed, batch=batch,
                          two_point=two_point, store=_progress_file(out) if out else None, progress=io.progress)
    io.save(result, out, plot, force)
    if out:
        _progress_file(out).unlink(missing_ok=True)
    io.result(result.to_dict(), result.summary())


def _progress_file(out: Path) -> Path:
    """Where a bipartite run keeps the documents scored so far (removed once the result is written)."""
    return out.with_name(out.name + ".partial.json")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``midecay`` app."""
    app.add_typer(lm_app, name="lm")
