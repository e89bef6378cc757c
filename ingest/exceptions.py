"""Errors raised by the ingest package. One root, specific subclasses; third-party errors are
wrapped with ``raise ... from e`` so callers (CLI, API) never see a raw pandas/yaml error."""

from __future__ import annotations


class IngestError(Exception):
    """Root of every ingest-package error."""


class FileFormatError(IngestError, ValueError):
    """A source file cannot be read as a whole (wrong encoding, wrong columns, no header,
    unparseable). Nothing of it is loaded. The message names the file and what was expected."""

    def __init__(self, path: str, problem: str, expected: str = ""):
        msg = f"{path}: {problem}"
        if expected:
            msg += f" (expected {expected})"
        super().__init__(msg)
        self.path = str(path)
        self.problem = problem
        self.expected = expected


class MappingError(IngestError, ValueError):
    """A YAML mapping file is malformed or refers to labels/properties outside the ontology."""


class SettingsError(IngestError, ValueError):
    """Ingest settings are unusable here (e.g. the development HMAC key outside development)."""


class ValidationError(IngestError, ValueError):
    """One field of one record failed validation; carries the field, value and reason.

    Raised by ``validators`` and caught per record by the readers, which quarantine the record.
    """

    def __init__(self, field: str, value: object, reason: str):
        super().__init__(f"{field}={value!r}: {reason}")
        self.field = field
        self.value = value
        self.reason = reason
