"""Deterministic demo raw data for every source of the contract (see `generator.py`)."""

from pipelines.demo.generator import build, expected_figures, generate

__all__ = ["build", "expected_figures", "generate"]
