from . import (
    test_approval_chain,
    test_change_request,
    test_change_tour,
    test_order_exception_tour,
    test_order_handoff_optional,
    test_order_tracking,
    test_policy_checks,
    test_policy_performance,
)
