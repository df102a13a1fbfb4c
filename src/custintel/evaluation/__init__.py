"""Metrics, backtests and plots for evaluating fitted models."""

__all__: list[str] = []
