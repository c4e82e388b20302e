"""Experiments built on the public API (the demo job)."""
