from . import sale_policy_reject
