"""The one error tree of kulakan. Each error has a stable ``code`` used in problem types.

::

    KulakanError
    ├── NotFound                 404  the object does not exist for this caller
    ├── Conflict                 409  the object's state refuses the action
    │   ├── ConcurrentUpdate     409  a concurrent transaction won; retry the request
    │   ├── VersionMismatch      412  If-Match names an older version
    │   └── IdempotencyKeyReused 422  the same Idempotency-Key with another body
    ├── Unauthorized             401  no key, an unknown key or a revoked key
    ├── Forbidden                403  the caller's role may not do this
    ├── InvalidInput             400  malformed or out-of-range input, with field paths
    │   ├── BodyTooLarge         413  the request body is over the limit
    │   └── UnsupportedMediaType 415  a body in a media type the route does not take
    ├── RuleViolation            422  well-formed input that a business rule refuses
    └── SupplierError            502  a supplier failed; ``retryable`` says whether to try again
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldError:
    """One bad field. For the body, ``pointer`` is a JSON pointer such as ``/lines/2/quantity``;
    for ``location`` "query", "path" or "header" it is the parameter's name."""

    pointer: str
    detail: str
    location: str = "body"


class KulakanError(Exception):
    code = "error"
    title = "Error"

    def __init__(
        self,
        detail: str = "",
        *,
        errors: Sequence[FieldError] = (),
        extra: dict[str, object] | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = tuple(errors)
        self.extra = dict(extra or {})


class NotFound(KulakanError):
    code = "not-found"
    title = "Not found"


class Conflict(KulakanError):
    code = "conflict"
    title = "Conflict"


class ConcurrentUpdate(Conflict):
    code = "retry"
    title = "Concurrent update"


class VersionMismatch(Conflict):
    code = "version-mismatch"
    title = "Precondition failed"


class IdempotencyKeyReused(Conflict):
    code = "idempotency-key-reused"
    title = "Idempotency-Key reused with another request"


class Unauthorized(KulakanError):
    code = "unauthorized"
    title = "Unauthorized"


class Forbidden(KulakanError):
    code = "forbidden"
    title = "Forbidden"


class InvalidInput(KulakanError):
    code = "invalid-input"
    title = "Invalid input"


class BodyTooLarge(InvalidInput):
    code = "body-too-large"
    title = "Request body too large"


class UnsupportedMediaType(InvalidInput):
    code = "unsupported-media-type"
    title = "Unsupported media type"


class RuleViolation(KulakanError):
    code = "rule-violation"
    title = "Rule violation"


class SupplierError(KulakanError):
    code = "supplier-error"
    title = "Supplier error"

    def __init__(
        self,
        detail: str = "",
        *,
        retryable: bool = False,
        errors: Sequence[FieldError] = (),
        extra: dict[str, object] | None = None,
    ) -> None:
        super().__init__(detail, errors=errors, extra=extra)
        self.retryable = retryable


class IllegalTransition(Conflict):
    """A life-cycle move the current state does not allow."""

    code = "illegal-transition"
    title = "Illegal state transition"

    def __init__(self, entity: str, current: str, action: str) -> None:
        super().__init__(
            f"{entity} is {current}; cannot {action}",
            extra={"current_state": current, "action": action},
        )
        self.entity = entity
        self.current = current
        self.action = action


__all__ = [
    "BodyTooLarge",
    "ConcurrentUpdate",
    "Conflict",
    "FieldError",
    "Forbidden",
    "IdempotencyKeyReused",
    "IllegalTransition",
    "InvalidInput",
    "KulakanError",
    "NotFound",
    "RuleViolation",
    "SupplierError",
    "Unauthorized",
    "UnsupportedMediaType",
    "VersionMismatch",
]
