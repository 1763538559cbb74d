from . import (
    test_approval_chain,
    test_change_request,
    test_change_tour,
    test_policy_checks,
    test_policy_performance,
)
