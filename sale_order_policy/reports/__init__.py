from . import (
    sale_policy_aging_report,
    sale_policy_approval_sheet,
    sale_policy_kpi_report,
    sale_policy_kpi_scorecard,
    sale_policy_kpi_xlsx,
    sale_policy_reviewer_scorecard,
    sale_policy_sla_report,
    sale_policy_statement_xlsx,
)
