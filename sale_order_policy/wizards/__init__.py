from . import (
    sale_advance_payment_inv,
    sale_policy_aging_options,
    sale_policy_chain_preset_apply,
    sale_policy_decision,
    sale_policy_exception_override,
    sale_policy_kpi_export,
    sale_policy_return_visit,
    sale_policy_statement_send,
)
