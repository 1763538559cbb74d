from . import sale_policy_kpi_export, sale_policy_reject
