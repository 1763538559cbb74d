from . import sale_policy_aging_report
