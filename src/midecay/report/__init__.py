"""Figures and the self-contained HTML report (matplotlib is imported only here)."""

from .analysis import Analysis, SourceResult, analyse
from .html import HtmlReport, render_analysis

__all__ = ["Analysis", "HtmlReport", "SourceResult", "analyse", "render_analysis"]
