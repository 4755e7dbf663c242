"""Dependencies of the eligibility routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from eligo.eligibility.runtime import ModelHolder


async def model_holder(request: Request) -> ModelHolder:  # no I/O: no thread hop
    holder: ModelHolder = request.app.state.eligibility_models
    return holder


ModelHolderDep = Annotated[ModelHolder, Depends(model_holder)]
