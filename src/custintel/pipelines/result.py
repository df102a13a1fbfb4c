"""What one training run produces: re-exported from :mod:`custintel.tracking.result`."""

from custintel.tracking.result import (
    TASKS,
    Holdout,
    LoggedRun,
    PromotionDecision,
    Task,
    TrainResult,
)

__all__ = ["TASKS", "Holdout", "LoggedRun", "PromotionDecision", "Task", "TrainResult"]
