"""Errors raised by the warnings package: one root, specific subclasses."""

from __future__ import annotations


class WarningsError(Exception):
    """Root of every error the warnings package raises."""


class RuleConfigError(WarningsError, ValueError):
    """The rules file is malformed; the message names the rule and the field."""


class EventError(WarningsError, ValueError):
    """An incoming event or record cannot be understood (message names the field)."""


class WarningNotFound(WarningsError, LookupError):
    """No warning event with that id."""


class IllegalTransition(WarningsError, ValueError):
    """A lifecycle transition that the state machine refuses (message says what is allowed)."""

    def __init__(self, message: str, *, current: str | None = None,
                 requested: str | None = None, allowed: tuple[str, ...] = ()):
        super().__init__(message)
        self.current = current
        self.requested = requested
        self.allowed = allowed


class TransitionConflict(IllegalTransition):
    """The event changed status concurrently; re-read it and retry."""


class SettingsError(WarningsError, ValueError):
    """A warnings setting is missing or unsafe (e.g. a webhook without a signing secret)."""


class WebhookError(WarningsError, ConnectionError):
    """A webhook delivery failed after all retries."""
