"""Problem details back into the project's exceptions.

The server names the exception class in the problem's ``code``; the class is
found by that name in the one tree of :mod:`glitchcart.errors` (so there is no
second table to keep in step). An unknown code becomes the base class.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
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
    """A request model's validation failure as the project's error, in one plain sentence."""
    return InvalidInput(plain_sentence(exc.errors(include_url=False, include_input=False)))


_SAYS: dict[str, Callable[[str, dict[str, Any]], str]] = {
    "greater_than_equal": lambda f, c: f"{f} must be {c.get('ge')} or more",
    "greater_than": lambda f, c: f"{f} must be more than {c.get('gt')}",
    "less_than_equal": lambda f, c: f"{f} must be {c.get('le')} or less",
    "less_than": lambda f, c: f"{f} must be less than {c.get('lt')}",
    "string_too_long": lambda f, c: f"{f} is too long (at most {c.get('max_length')} characters)",
    "string_too_short": lambda f, c: (
        f"{f} is empty"
        if c.get("min_length") == 1
        else f"{f} is too short (at least {c.get('min_length')} characters)"
    ),
    "too_long": lambda f, c: f"{f} has too many items (at most {c.get('max_length')})",
    "missing": lambda f, c: f"{f} is missing",
    "extra_forbidden": lambda f, c: f"{f} is not expected here",
    "int_parsing": lambda f, c: f"{f} must be a whole number",
    "int_type": lambda f, c: f"{f} must be a whole number",
    "string_pattern_mismatch": lambda f, c: f"{f} is not in the expected form",
    "string_type": lambda f, c: f"{f} must be text",
    "bool_parsing": lambda f, c: f"{f} must be true or false",
    "enum": lambda f, c: f"{f} must be one of {c.get('expected')}",
    "literal_error": lambda f, c: f"{f} must be one of {c.get('expected')}",
    "json_invalid": lambda f, c: "the body is not valid JSON",
    "model_attributes_type": lambda f, c: "the body must be a JSON object",
    "dict_type": lambda f, c: f"{f} must be an object",
}


def plain_sentence(errors: Sequence[Mapping[str, Any]]) -> str:
    """The one error a person should fix first, as a plain sentence (never pydantic's words).

    A body that may take several shapes (a vote is a choice or an action) fails once per
    shape; the shape the caller meant is the one whose error is not a missing field.
    """
    if not errors:
        return "the request is not valid"
    meant = [e for e in errors if e.get("type") not in ("missing", "extra_forbidden")]
    err = (meant or list(errors))[0]
    names = [str(p) for p in err.get("loc", ()) if isinstance(p, str) and p not in _NOT_FIELDS]
    names = [n for n in names if not n[:1].isupper() and not n.startswith("function-")]
    field = names[-1] if names else "the request"
    says = _SAYS.get(str(err.get("type")))
    if says is not None:
        return says(field, dict(err.get("ctx") or {}))
    message = str(err.get("msg", "is not valid")).removeprefix("Value error, ")
    return f"{field}: {message[:200]}"


_NOT_FIELDS = {"body", "query", "path", "header", "cookie"}
