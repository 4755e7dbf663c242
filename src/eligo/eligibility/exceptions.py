"""Eligibility domain errors."""

from __future__ import annotations

from eligo.errors import InvalidInput, NotFound, ServiceUnavailable


class ModelNotLoaded(ServiceUnavailable):
    code = "model_unavailable"
    default_message = (
        "No eligibility model is loaded, so only list (GTIN) hits can be answered; "
        "build one with `make models` or `eligo train eligibility`"
    )


class ReviewNotFound(NotFound):
    default_message = "No such review item"


class InvalidReview(InvalidInput):
    default_message = "The review is not valid"
