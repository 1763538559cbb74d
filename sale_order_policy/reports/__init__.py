from . import sale_policy_sla_report
