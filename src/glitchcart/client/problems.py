"""Problem details back into the project's exceptions.

The server names the exception class in the problem's ``code``; the class is
found by that name in the one tree of :mod:`glitchcart.errors` (so there is no
second table to keep in step). An unknown code becomes the base class.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from glitchcart import errors
from glitchcart.client.models import Problem
from glitchcart.errors import (
    GlitchcartError,
    InvalidInput,
    LimitExceeded,
    RateLimited,
    Unreachable,
    WrongTurn,
)


def error_class(code: str) -> type[GlitchcartError]:
    """The class of :mod:`glitchcart.errors` named ``code``; the base class if none is."""
    stack: list[type[GlitchcartError]] = [GlitchcartError]
    while stack:
        cls = stack.pop()
        if cls.__name__ == code and cls.__module__ == errors.__name__:
            return cls
        stack.extend(cls.__subclasses__())
    return GlitchcartError


def error_code(exc: BaseException) -> str:
    """The nearest class of :mod:`glitchcart.errors` above ``exc``: the stable code."""
    for cls in type(exc).__mro__:
        if cls.__module__ == errors.__name__ and issubclass(cls, GlitchcartError):
            return cls.__name__
    return GlitchcartError.__name__


def error_from_problem(status: int, body: Any) -> GlitchcartError:
    """The exception a problem answer stands for (a non-problem answer is described)."""
    try:
        problem = Problem.model_validate(body)
    except ValidationError:
        if status >= 500:
            return Unreachable(f"the server answered HTTP {status}")
        return GlitchcartError(f"the server answered HTTP {status}")
    cls = error_class(problem.code)
    if issubclass(cls, RateLimited):
        return cls(problem.detail, retry_after=problem.retry_after or 1.0)
    if issubclass(cls, WrongTurn):
        return cls(problem.detail, turn=problem.turn, game_id=problem.game_id)
    if issubclass(cls, LimitExceeded):
        return cls(problem.detail, retry_after=problem.retry_after)
    return cls(problem.detail)


def invalid_input(exc: ValidationError) -> InvalidInput:
    """A request model's validation failure as the project's error, in one line."""
    parts = []
    for err in exc.errors(include_url=False, include_input=False):
        where = ".".join(str(p) for p in err["loc"])
        parts.append(f"{where}: {err['msg']}" if where else err["msg"])
    return InvalidInput("; ".join(parts)[:500])
