from . import sale_policy_aging_report, sale_policy_sla_report
