"""How activities fail: business refusals are permanent, everything else is retried."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

import sqlalchemy.exc
from pydantic import ValidationError
from temporalio.exceptions import ApplicationError

from adapters.errors import PermanentAdapterError
from domain.errors import DomainError

P = ParamSpec("P")
# Errors that come from the data, not from the moment: a database or network hiccup is an
# OSError, a connection or an operational error, and those are retried.
DATA_ERRORS = (ValueError, ArithmeticError, sqlalchemy.exc.DataError)
R = TypeVar("R")


def data_error(err: BaseException) -> BaseException | None:
    """The error, or what caused it (a database driver's error wraps an OverflowError), if it
    comes from the data."""
    seen: BaseException | None = err
    for _ in range(10):
        if seen is None or isinstance(seen, DATA_ERRORS):
            return seen
        seen = seen.__cause__ or getattr(seen, "orig", None)
    return None


def permanent_errors(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Business refusals become non-retryable failures with a readable message; anything
    else (a database or network hiccup) propagates so Temporal retries it."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await fn(*args, **kwargs)
        except (DomainError, PermanentAdapterError, ValidationError) as err:
            # Bad data (a refused rule, an invalid document) does not get better by retrying.
            raise ApplicationError(str(err), type="PermanentError", non_retryable=True) from err
        except Exception as err:
            cause = data_error(err)
            if cause is None:
                raise
            if isinstance(cause, sqlalchemy.exc.DBAPIError):
                cause = cause.orig or cause  # the driver's words, without the SQL
            # Data no rule foresaw (a number beyond the database's integers, a character XML
            # cannot hold): retrying would fail the same way for ever, and the order's action
            # would never be answered. Ops see it and fix the data.
            raise ApplicationError(
                # the cause alone: a driver's message would carry the SQL and its values
                f"the data cannot be processed ({type(cause).__name__}: {cause})",
                type="PermanentError",
                non_retryable=True,
            ) from err

    return wrapper
