"""Orchestration built on the public API: multi-source analyses and the demo job."""

from .analysis import Analysis, SourceResult, analyse

__all__ = ["Analysis", "SourceResult", "analyse"]
