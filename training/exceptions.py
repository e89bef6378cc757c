"""Errors raised by the training jobs (their root subclasses risk's)."""

from risk.exceptions import RiskError


class TrainingError(RiskError):
    """Root of training errors (e.g. too few labelled declarations to train on)."""


__all__ = ["TrainingError"]
