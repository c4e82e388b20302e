"""Figures and the self-contained HTML report (matplotlib is imported only here)."""

from .html import HtmlReport, fig_to_png, render_analysis

__all__ = ["HtmlReport", "fig_to_png", "render_analysis"]
