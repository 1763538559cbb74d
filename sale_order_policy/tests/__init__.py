from . import (
    test_approval_chain,
    test_policy_checks,
    test_policy_gate_queries,
    test_policy_performance,
)
