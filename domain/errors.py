"""Domain errors: raised by pure rules, mapped at each boundary (problem+json in the API,
non-retryable ``ApplicationError`` in an activity)."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the input. ``code`` is stable, the message is for people."""

    code = "domain-error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidAmount(DomainError):
    code = "invalid-amount"


class InvalidPeriod(DomainError):
    code = "invalid-period"


class InvalidState(DomainError):
    code = "invalid-state"


class UnbalancedEntry(DomainError):
    code = "unbalanced-entry"


class UnsupportedCase(DomainError):
    code = "unsupported-case"


class SalaryCategoryRefused(DomainError):
    """A monthly salary below the minimum wage for its hours or above what the budget
    supports (``domain.salary_category``)."""

    code = "salary-category-refused"
