from . import sale_policy_aging_options, sale_policy_reject
