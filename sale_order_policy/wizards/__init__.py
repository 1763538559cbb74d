from . import sale_policy_exception_override, sale_policy_reject
