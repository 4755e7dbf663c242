"""The fixed set of insurance-card field keys (snake_case), shared by every card stage."""

from __future__ import annotations

FIELD_KEYS: tuple[str, ...] = (
    "payer_name",
    "member_name",
    "member_id",
    "member_id_prefix",
    "member_id_suffix",
    "group_number",
    "dependents",
    "subscriber_name",
    "employer",
    "plan_name",
    "plan_type",
    "plan_number",
    "rx_bin",
    "rx_pcn",
    "rx_group",
    "rx_id",
    "rx_plan",
    "pbm_name",
    "issuer_id",
    "payer_id",
    "effective_date",
    "copays",
    "deductible",
    "phone_customer_service",
    "phone_pharmacy",
    "phone_provider",
    "claims_address",
    "medicare_mbi",
    "medicare_part_a_date",
    "medicare_part_b_date",
    "medicaid_id",
)

# Fields that identify a person: PHI, encrypted at rest and never logged.
PHI_FIELDS: frozenset[str] = frozenset(
    {
        "member_name",
        "member_id",
        "member_id_prefix",
        "member_id_suffix",
        "dependents",
        "subscriber_name",
        "rx_id",
        "medicare_mbi",
        "medicaid_id",
    }
)
