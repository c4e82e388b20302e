"""``midecay synth …`` (generators with exact MI) and ``midecay theory linear-rnn``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Optional

import numpy as np
import typer

from ..errors import InputError, InputNotFoundError
from ._common import (
    ForceOpt,
    JsonOpt,
    LagsOpt,
    Output,
    QuietOpt,
    check_outputs,
    parse_lags,
    user_errors,
)

OutOpt = Annotated[Path, typer.Option("--out", help="Write the sequences here (.npz: codes, segment bounds, exact MI).")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Seed: the same seed gives the same bytes.")]


def _read_json(path: Path, what: str):
    """A small JSON input file, or a one-line error."""
    if not Path(path).is_file():
        raise InputNotFoundError(f"{path} not found or not a file; pass a JSON file with {what}")
    from .._parsing import parse_json

    return parse_json(Path(path).read_bytes(), str(path), f"pass a JSON file with {what}")


def _emit(io: Output, generate: Callable, out: Path, lags: str, force: bool) -> None:
    """Refuse an existing output before any work, generate, write the .npz, report the exact curve."""
    check_outputs(force, out)
    lag_values = parse_lags(lags)
    generated = generate()
    lag_values = lag_values[lag_values < generated.symbols.lengths.max()]
    exact = generated.expected_mi(lag_values)
    generated.symbols.save(out, overwrite=force, extra={"lags": lag_values, "expected_mi_nats": exact})
    io.info(f"wrote {out}")
    s = generated.symbols
    payload = {"out": out, "description": s.description, "n_symbols": s.n_symbols, "n_segments": s.n_segments,
               "alphabet_size": s.alphabet_size, "lags": lag_values, "expected_mi_nats": exact}
    rows = "\n".join(f"  {d:>8d} {v:>14.6g}" for d, v in zip(lag_values, exact))
    io.result(payload, f"{s.description}: {s.n_symbols:,} symbols\n  {'lag':>8} {'exact I(d)':>14}\n{rows}")


synth_app = typer.Typer(help="Generate sequences whose MI curve is known exactly.", no_args_is_help=True)
theory_app = typer.Typer(help="Exact MI curves of model families.", no_args_is_help=True)


@synth_app.command("gaussian-sign")
@user_errors
def gaussian_sign(
    out: OutOpt,
    sequences: Annotated[int, typer.Option(help="Number of sequences.")] = 10_000,
    length: Annotated[int, typer.Option(help="Symbols per sequence.")] = 512,
    alpha: Annotated[float, typer.Option(help="Exponent of I(d) = scale * d^-alpha.")] = 0.5,
    scale: Annotated[float, typer.Option(help="I(1) in nats (< ln 2).")] = 0.1,
    seed: SeedOpt = 0,
    lags: LagsOpt = "1:1000:30log",
    force: ForceOpt = False,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Binary sign(z) sequences with an exact power-law MI at every d."""
    from .. import synth

    _emit(Output(as_json, quiet), lambda: synth.gaussian_sign(sequences, length, alpha=alpha, scale=scale, seed=seed),
          out, lags, force)


@synth_app.command("markov")
@user_errors
def markov(
    out: OutOpt,
    n: Annotated[int, typer.Option(help="Length of each sequence.")] = 1_000_000,
    states: Annotated[int, typer.Option(help="States of the block chain.")] = 27,
    blocks: Annotated[int, typer.Option(help="Blocks of the block chain.")] = 3,
    stay: Annotated[float, typer.Option(help="Second eigenvalue of the block chain.")] = 0.98,
    matrix: Annotated[Optional[Path], typer.Option(help="JSON file with a transition matrix (list of rows) instead.")] = None,
    seed: SeedOpt = 0,
    lags: LagsOpt = "1:1000:30log",
    force: ForceOpt = False,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """A Markov chain (default: the 27-state block chain, xi = -1/(2 ln stay))."""
    from .. import synth

    if matrix is not None:
        rows = _read_json(matrix, "a list of rows of probabilities")
        try:
            P = np.asarray(rows, dtype=float)
        except (TypeError, ValueError):
            raise InputError(f"{matrix}: expected a JSON list of equal-length rows of probabilities") from None
    else:
        P = synth.block_markov_matrix(states, blocks, stay)
    _emit(Output(as_json, quiet), lambda: synth.markov(P, n, seed=seed), out, lags, force)


@synth_app.command("repetitive")
@user_errors
def repetitive(
    out: OutOpt,
    p: Annotated[float, typer.Option(help="Probability of the block '01' (else '10').")] = 0.8,
    n: Annotated[int, typer.Option(help="Symbols (even).")] = 1_000_000,
    seed: SeedOpt = 0,
    lags: LagsOpt = "1:1000:30log",
    force: ForceOpt = False,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Blocks '01'/'10': MI constant for every d > 1."""
    from .. import synth

    _emit(Output(as_json, quiet), lambda: synth.repetitive(p, n, seed=seed), out, lags, force)


@synth_app.command("ising")
@user_errors
def ising(
    out: OutOpt,
    beta: Annotated[float, typer.Option(help="Inverse temperature.")] = 0.5,
    coupling: Annotated[float, typer.Option("--J", help="Coupling J.")] = 1.0,
    n: Annotated[int, typer.Option(help="Spins.")] = 1_000_000,
    seed: SeedOpt = 0,
    lags: LagsOpt = "1:1000:30log",
    force: ForceOpt = False,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Nearest-neighbour Ising chain (exponential MI, van Hove)."""
    from .. import synth

    _emit(Output(as_json, quiet), lambda: synth.ising_chain(beta, coupling, n, seed=seed), out, lags, force)


@theory_app.command("linear-rnn")
@user_errors
def linear_rnn(
    hidden: Annotated[int, typer.Option(help="Hidden units (random network).")] = 4,
    outputs: Annotated[int, typer.Option(help="Output dimension.")] = 1,
    radius: Annotated[float, typer.Option(help="Spectral radius of A = W_hh + W_xh W_hx (< 1).")] = 0.9,
    sigma: Annotated[float, typer.Option(help="Output noise scale.")] = 1.0,
    weights: Annotated[Optional[Path], typer.Option(help="JSON with W_hh, W_xh, W_hx instead of a random network.")] = None,
    simulate: Annotated[int, typer.Option(help="Also simulate this many steps and estimate (0: no).")] = 0,
    seed: SeedOpt = 0,
    lags: LagsOpt = "1:64:12log",
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Exact MI curve of a linear Gaussian RNN, optionally against a simulation."""
    from .. import synth

    io = Output(as_json, quiet)
    if weights is not None:
        w = _read_json(weights, "the matrices W_hh, W_xh and W_hx")
        if not isinstance(w, dict) or not all(k in w for k in ("W_hh", "W_xh", "W_hx")):
            raise InputError(f"{weights} must hold a JSON object with the keys W_hh, W_xh and W_hx")
        W_hh, W_xh, W_hx = (w[k] for k in ("W_hh", "W_xh", "W_hx"))
    else:
        if not 0 < radius < 1:
            raise InputError(
                f"--radius {radius} is not below 1: the network memorises its initial condition and has no "
                "stationary MI curve; pick a radius in (0, 1)"
            )
        W_hh, W_xh, W_hx = synth.random_linear_rnn(hidden, outputs, radius, seed=seed)
    lag_values = parse_lags(lags)
    exact = synth.linear_rnn_mi(W_hh, W_xh, W_hx, sigma, lag_values)
    decay = synth.linear_rnn_decay(W_hh, W_xh, W_hx, sigma)
    payload = {"lags": lag_values, "exact_mi_nats": exact, "spectral_radius": decay.spectral_radius,
               "correlation_length": decay.correlation_length}
    header = f"  {'lag':>6} {'exact':>12}"
    columns = [exact]
    if simulate < 0:
        raise InputError(f"--simulate must be >= 0 steps, got {simulate}")
    if simulate:
        x = synth.linear_rnn_sample(W_hh, W_xh, W_hx, sigma, simulate, seed=seed)
        simulated = synth.gaussian_mi_from_samples(x, lag_values)
        payload["simulated_mi_nats"] = simulated
        header += f" {'simulated':>12}"
        columns.append(simulated)
    rows = "\n".join(f"  {d:>6d}" + "".join(f" {c[i]:>12.5g}" for c in columns) for i, d in enumerate(lag_values))
    io.result(payload, f"linear RNN: r = {decay.spectral_radius:.4g}, xi = {decay.correlation_length:.4g}\n{header}\n{rows}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``midecay`` app."""
    app.add_typer(synth_app, name="synth")
    app.add_typer(theory_app, name="theory")
