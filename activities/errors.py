"""How activities fail: business refusals are permanent, everything else is retried."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from pydantic import ValidationError
from temporalio.exceptions import ApplicationError

from adapters.errors import PermanentAdapterError
from domain.errors import DomainError

P = ParamSpec("P")
R = TypeVar("R")


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

    return wrapper
