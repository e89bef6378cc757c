"""Errors raised by the risk package (one root, specific subclasses)."""


class RiskError(Exception):
    """Root of every error the risk package raises."""


class DataError(RiskError):
    """Input data is missing columns, empty, or malformed (message names the field)."""


class ModelNotFittedError(RiskError):
    """A model was asked to score/explain before ``fit`` or ``load``."""


class ModelArtifactError(RiskError):
    """A saved model artifact is missing, corrupted or of the wrong kind."""


class RegistryError(RiskError):
    """Unknown model version, nothing promoted, or a registry file that cannot be read."""
