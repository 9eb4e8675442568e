"""Errors raised by the outside-world adapters.

Two kinds only, because the calling activity needs one decision: retry or not.

- ``PermanentAdapterError``: the input is wrong and retrying will not fix it. The activity turns
  it into a non-retryable ``ApplicationError``; its message is meant for a person to act on.
- Everything else (connection refused, timeouts, disk full, ...) propagates as an ordinary
  exception, and Temporal retries the activity.
"""

from __future__ import annotations


class AdapterError(Exception):
    """Base class of the errors the adapters raise on purpose."""


class PermanentAdapterError(AdapterError):
    """Bad input that retrying will not fix; the message says what to correct."""


class InvalidBankAccount(PermanentAdapterError):
    """An IBAN or BIC is malformed, has a wrong checksum, or no BIC can be found for it."""


class DeclarationRefused(PermanentAdapterError):
    """The social-security register refused a declaration (e.g. its period is impossible)."""
