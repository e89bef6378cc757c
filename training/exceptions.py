"""Errors raised by the training package."""

from risk.exceptions import ModelArtifactError, RiskError


class TrainingError(RiskError):
    """Root of training errors."""


class RegistryError(TrainingError):
    """Unknown version, nothing promoted, or a registry file that cannot be read."""


__all__ = ["TrainingError", "RegistryError", "ModelArtifactError"]
