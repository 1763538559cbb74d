from . import (
    test_approval_chain,
    test_policy_checks,
    test_policy_performance,
    test_review_sla,
    test_review_sla_tour,
)
