"""Orchestration built on the public API: multi-source analyses, the demo job, model scaling sweeps."""

from .analysis import Analysis, SourceResult, analyse

__all__ = ["Analysis", "SourceResult", "analyse"]
