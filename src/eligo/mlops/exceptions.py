"""MLOps errors.

EligoError
├── InvalidInput
│   └── ContractViolation (422 data_contract_failed): training data broke its contract
├── NotFound
│   └── ModelNotRegistered (404): no such registered model or version
├── Conflict
│   ├── GateRefused (409 gate_refused): the candidate failed the promotion gate
│   └── NothingToRollBack (409)
├── PermissionDenied
│   └── ForceNotAllowed (403): --force without an admin key and a reason
└── ServiceUnavailable
    └── RegistryUnavailable (503): MLflow is not installed or its store cannot be opened
"""

from __future__ import annotations

from eligo.errors import Conflict, InvalidInput, NotFound, PermissionDenied, ServiceUnavailable


class ContractViolation(InvalidInput):
    code = "data_contract_failed"
    default_message = "The training data does not meet its contract"


class ModelNotRegistered(NotFound):
    default_message = "No such registered model or version"


class GateRefused(Conflict):
    code = "gate_refused"
    default_message = "The candidate did not pass the promotion gate"


class NothingToRollBack(Conflict):
    default_message = "There is no earlier champion to roll back to"


class ForceNotAllowed(PermissionDenied):
    default_message = "A forced promotion needs an admin key and a reason"


class RegistryUnavailable(ServiceUnavailable):
    code = "registry_unavailable"
    default_message = "The model registry is not available"
