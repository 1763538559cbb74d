from . import sale_policy_reject
from . import sale_policy_aging_options
