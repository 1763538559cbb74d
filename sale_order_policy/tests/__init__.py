from . import test_approval_chain
from . import test_policy_checks
from . import test_policy_performance
