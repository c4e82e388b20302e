"""A self-contained HTML page: figures embedded as base64 PNG, no external requests."""

from __future__ import annotations

import base64
import html
import io
import os
from collections.abc import Sequence
from datetime import datetime, timezone

import numpy as np

from .terms import FIDELITY, SPAN, TRACKS_UP_TO
from .._io import write_atomic
from .._version import __version__

_STYLE = """
body { font-family: sans-serif; max-width: 980px; margin: 2em auto; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: .6em 0; font-size: .92em; }
th, td { border: 1px solid #ccc; padding: .25em .6em; text-align: right; } th { background: #f3f3f3; }
td:first-child, th:first-child { text-align: left; }
pre { background: #f7f7f7; padding: .6em; white-space: pre-wrap; overflow-wrap: anywhere; font-size: .85em; }
dl dt { font-weight: bold; margin-top: .5em; } dl dd { margin-left: 1.5em; }
figure { margin: 1em 0; } figcaption { font-size: .9em; color: #555; }
img { max-width: 100%; }
.verdict { font-weight: bold; }
"""


def fig_to_bytes(fig, fmt: str = "png", dpi: int = 130) -> bytes:
    """A matplotlib figure as the bytes of a ``fmt`` file (png, pdf, svg); the figure is closed afterwards."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format=fmt, dpi=dpi)
    plt.close(fig)
    return buf.getvalue()


def fig_to_png(fig, dpi: int = 130) -> bytes:
    """A matplotlib figure as PNG bytes (the figure is closed afterwards)."""
    return fig_to_bytes(fig, "png", dpi)


class HtmlReport:
    """Collects sections and renders one self-contained page."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.parts: list[str] = []
        self.n_figures = 0

    def heading(self, text: str) -> None:
        self.parts.append(f"<h2>{html.escape(text)}</h2>")

    def paragraph(self, text: str, css: str | None = None) -> None:
        cls = f' class="{css}"' if css else ""
        self.parts.append(f"<p{cls}>{html.escape(text)}</p>")

    def pre(self, text: str) -> None:
        self.parts.append(f"<pre>{html.escape(text)}</pre>")

    def definitions(self, items: list[tuple[str, str]]) -> None:
        """A list of terms and what they mean."""
        body = "".join(f"<dt>{html.escape(t)}</dt><dd>{html.escape(d)}</dd>" for t, d in items)
        self.parts.append(f"<dl>{body}</dl>")

    def table(self, header: list[str], rows: list[list]) -> None:
        head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
        self.parts.append(f"<table><tr>{head}</tr>{body}</table>")

    def figure(self, png: bytes, caption: str) -> None:
        """Embed a PNG (see :func:`fig_to_png`) with a numbered caption."""
        self.n_figures += 1
        data = base64.b64encode(png).decode("ascii")
        self.parts.append(
            f'<figure id="figure-{self.n_figures}"><img alt="{html.escape(caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>Figure {self.n_figures}. {html.escape(caption)}</figcaption></figure>"
        )

    def render(self) -> str:
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        return (
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(self.title)}</title><style>{_STYLE}</style></head><body>"
            f"<h1>{html.escape(self.title)}</h1><p>midecay {__version__}, {stamp}</p>"
            + "\n".join(self.parts)
            + "</body></html>\n"
        )

    def write(self, path: str | os.PathLike, *, overwrite: bool = False) -> None:
        write_atomic(path, self.render(), overwrite=overwrite)


def render_analysis(
    analysis, title: str = "Mutual-information decay report", *, into: HtmlReport | None = None, section: str = ""
) -> HtmlReport:
    """The report of an :class:`~midecay.report.Analysis`: curves, floors, fits, diagnosis, comparison, provenance.

    With ``into``, the sections are appended to an existing report, headed by ``section``.
    """
    rep = into if into is not None else HtmlReport(title)
    prefix = f"{section}: " if section else ""
    rep.heading(f"{prefix}summary")
    rows = []
    for r in analysis.results:
        sp = r.diagnosis.span
        params = ", ".join(f"{k} = {e:.3g}" for k, e in r.diagnosis.parameters.items())
        rows.append([
            r.name, f"{r.curve.n_symbols:,}", r.curve.alphabet_size, r.diagnosis.kind,
            f"{r.curve.mi[0]:.4g}", sp.reach if sp.floor_distance is not None else "none",
            f"above to d={int(r.curve.lags[-1])}" if sp.threshold_distance is None else f"{sp.threshold_distance:.0f}",
            f"{r.diagnosis.law}: {params}" if params else "none",
            r.diagnosis.periodicity.period or "none",
        ])
    rep.table(["source", "symbols", "alphabet", "decay type", f"I(1) [{analysis.base}]", "span (null)",
               "d at 1e-5 nats", "law of the decay type (± jackknife SE)", "period"], rows)
    if analysis.comparison is not None:
        rep.heading(f"{prefix}comparison (each curve against the first, floors removed)")
        rep.paragraph(f"Verdict: {analysis.comparison.verdict}", css="verdict")
        rep.pre(analysis.comparison.summary())
        rep.figure(fig_to_png(analysis.comparison.plot().figure), "Curves with their shuffle floors; circles mark lags that differ significantly from the first curve.")
    for r in analysis.results:
        rep.heading(f"{prefix}{r.name}")
        rep.figure(fig_to_png(r.curve.plot(label=r.name).figure),
                   f"{r.name}: I(d) with jackknife errors; shaded: the null (no dependence at d) up to its z = 3 threshold.")
        if r.diagnosis.fit and r.diagnosis.fit.fits:
            rep.figure(fig_to_png(r.diagnosis.fit.plot().figure),
                       f"{r.name}: the floor-removed curve (filled: fitted; hollow: not above the null), each law, residuals.")
            rep.pre(r.diagnosis.fit.summary())
        rep.pre(r.diagnosis.summary())
        rep.pre("provenance: " + ", ".join(f"{k}={v}" for k, v in r.curve.provenance.items()))
    for extra in analysis.extras:
        rep.heading(extra[0])
        rep.pre(extra[1])
    if into is None:
        methods(rep, [r.curve for r in analysis.results], analysis_laws(analysis))
    return rep


def analysis_laws(analysis) -> list[str]:
    """The laws fitted in an analysis's fit tables."""
    return sorted({law for r in analysis.results if r.diagnosis.fit for law in r.diagnosis.fit.fits})


#: The terms a report uses, for its methods section.
_LAW_FORMULAS = {
    "exponential": "exponential c exp(-d/xi)",
    "power_law": "power law c d^-alpha",
    "broken_power_law": "broken power law (slopes alpha1, alpha2 joined at d_b)",
    "power_law_plus_constant": "power law plus constant c d^-alpha + b",
    "composite": "composite a d^-alpha + b exp(-d/xi)",
}


def _floor_sentence(curve) -> str:
    """How this curve's null was made, from its provenance (what was run, not what is usual)."""
    prov = curve.provenance
    draws = prov.get("n_shuffles")
    method = prov.get("null_draws")
    if method in (None, "none") or not np.isfinite(curve.floor).any():
        return "no floor was computed"
    made = (f"the estimate on random tables with each lag's observed margins ({draws} a lag)" if method == "tables"
            else f"the estimate on {draws} permuted copies of the sequence" if method == "permutation"
            else (f"the estimate on {draws} pairings of the streams, each stream an independent unit: a stream "
                  "that loops paired with itself at offsets its loop does not divide, the others with each other")
            if method == "streams" else f"the estimate under the null drawn by {method}")
    if prov.get("null") == "autocorrelated":
        made += (", plus what the sequence's own autocorrelation adds (a serially dependent sequence has fewer "
                 "effective samples), computed from its pair counts")
    return made


def _sources_say(curves, describe) -> str:
    """One sentence if every curve says the same, else each source's own."""
    said = {}
    for c in curves:
        said.setdefault(describe(c), []).append(str(c.provenance.get("source", "a curve")))
    if len(said) == 1:
        return next(iter(said))
    return "; ".join(f"{', '.join(names)}: {text}" for text, names in said.items())


def methods(rep: HtmlReport, curves: Sequence = (), laws: Sequence[str] = ()) -> None:
    """Append the methods section: what each term means, said of what was run on ``curves`` with ``laws`` fitted."""
    estimator = _sources_say(curves, lambda c: f"{c.estimator} estimator, in {c.base}") if curves else "Grassberger's estimator"
    floor = _sources_say(curves, _floor_sentence) if curves else "see each curve's provenance"
    blocks = _sources_say(curves, lambda c: (
        "none (no jackknife blocks)" if not c.provenance.get("n_blocks") else
        f"delete-a-group jackknife of estimate minus floor over {c.provenance['n_blocks']} groups of whole streams"
        if c.provenance.get("null") == "streams" else
        f"delete-one-block jackknife over {c.provenance['n_blocks']} contiguous blocks")) if curves else ""
    fitted = [law for law in _LAW_FORMULAS if law in set(laws)]
    terms = [
        ("I(d)", "Mutual information between symbols d apart, I(d) = H(X_t) + H(X_t+d) - H(X_t, X_t+d), from the counts of "
         f"pairs inside one segment; here with the {estimator}."),
        ("floor (the null)", "What the estimate would be at this lag if x_t and x_t+d were independent, at this sample "
         f"size: {floor}. The shaded band in the curve figures runs up to the null's z = 3 threshold."),
        ("significant", "Above the null at a one-sided level of 0.13 % per lag (z = 3), judged against the null's spread "
         "(a scaled chi-square), not the jackknife's, so variation between segments does not hide dependence."),
        ("error bars", f"{blocks[:1].upper() + blocks[1:]}: the estimate's own uncertainty." if blocks else "Jackknife errors."),
        ("span", f"{SPAN[6].upper()}{SPAN[7:]}."),
        ("d at 1e-5 nats", "Where the floor-removed curve first falls below the grid-search paper's fixed threshold of 1e-5 nats."),
        ("decay type", "First the tail test: a law bridging the two (ln I = ln c - b (d^g - 1)/g; g = 1 exponential, "
         "g = 0 power law) fitted to the far half of the significant lags, each law rejected at p < 0.01 from g's "
         "jackknife error. Exponential: a finite-state decay, its law a sum of 1-3 exponentials (as many modes as "
         "the data resolve), xi the slowest. Power law: then power law, broken power law (beats it by AICc 6, slopes 3 "
         "SE apart, covariance included) or composite (an exponential head over a power-law tail). Neither rejected: "
         "undetermined, cannot tell at this size (also where lags stand above the floor within the floor's own "
         "uncertainty). Also flat (no decay at long range) and no dependence. The law "
         "column gives the chosen law's parameters with jackknife-refit standard errors; every threshold is recorded "
         "with the verdict (VerdictRules)."),
    ]
    if fitted:
        terms.append(("AICc weight", "exp(-Delta/2) normalised over the laws fitted together: the relative support of "
                      f"each law. The fit tables here compare: {', '.join(_LAW_FORMULAS[law] for law in fitted)}."))
    terms += [
        ("period", "Peaks recurring every p lags, found by a phase-profile F-test on every lag 1…256 (counted on a sample "
         "of the data; for alphabets over 128 symbols, on the excess of repeats) whatever lags the curve was measured "
         "on; a modifier of whatever decay type the curve has."),
        ("comparison, fidelity, tracks up to", "Each curve minus its own null against the first curve (the reference), "
         f"lag by lag, with Holm's correction at family level 0.01. {FIDELITY[0].upper()}{FIDELITY[1:]}. "
         f"{TRACKS_UP_TO[0].upper()}{TRACKS_UP_TO[1:]}."),
    ]
    rep.heading("Methods: what the terms mean")
    rep.definitions(terms)
