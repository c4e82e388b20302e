"""A self-contained HTML page: figures embedded as base64 PNG, no external requests."""

from __future__ import annotations

import base64
import html
import io
import os
from datetime import datetime, timezone

from .._io import write_atomic
from .._version import __version__

_STYLE = """
body { font-family: sans-serif; max-width: 980px; margin: 2em auto; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: .6em 0; font-size: .92em; }
th, td { border: 1px solid #ccc; padding: .25em .6em; text-align: right; } th { background: #f3f3f3; }
td:first-child, th:first-child { text-align: left; }
pre { background: #f7f7f7; padding: .6em; overflow-x: auto; font-size: .85em; }
figure { margin: 1em 0; } figcaption { font-size: .9em; color: #555; }
img { max-width: 100%; }
.verdict { font-weight: bold; }
"""


def fig_to_png(fig, dpi: int = 130) -> bytes:
    """A matplotlib figure as PNG bytes (the figure is closed afterwards)."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return buf.getvalue()


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
        best = r.diagnosis.fit.fits.get(r.diagnosis.fit.best) if r.diagnosis.fit and r.diagnosis.fit.best else None
        rows.append([
            r.name, f"{r.curve.n_symbols:,}", r.curve.alphabet_size, r.diagnosis.kind,
            f"{r.curve.mi[0]:.4g}", sp.reach,
            f"above to d={int(r.curve.lags[-1])}" if sp.threshold_distance is None else f"{sp.threshold_distance:.0f}",
            ", ".join(f"{k}={v:.3g}" for k, v in best.params.items()) if best else "",
        ])
    rep.table(["source", "symbols", "alphabet", "decay type", f"I(1) [{analysis.base}]", "span (floor)",
               "d at 1e-5 nats", "best law"], rows)
    if analysis.comparison is not None:
        rep.heading(f"{prefix}comparison (each curve against the first, floors removed)")
        rep.paragraph(f"Verdict: {analysis.comparison.verdict}", css="verdict")
        rep.pre(analysis.comparison.summary())
        rep.figure(fig_to_png(analysis.comparison.plot().figure), "Curves with their shuffle floors; circles mark lags that differ significantly from the first curve.")
    for r in analysis.results:
        rep.heading(f"{prefix}{r.name}")
        rep.figure(fig_to_png(r.curve.plot(label=r.name).figure), f"{r.name}: I(d) with jackknife errors; shaded: shuffle floor + 2σ.")
        if r.diagnosis.fit and r.diagnosis.fit.fits:
            rep.figure(fig_to_png(r.diagnosis.fit.plot().figure), f"{r.name}: fitted decay laws and residuals.")
            rep.pre(r.diagnosis.fit.summary())
        rep.pre(r.diagnosis.summary())
        rep.pre("provenance: " + ", ".join(f"{k}={v}" for k, v in r.curve.provenance.items()))
    for extra in analysis.extras:
        rep.heading(extra[0])
        rep.pre(extra[1])
    return rep
