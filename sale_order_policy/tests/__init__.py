from . import (
    test_approval_chain,
    test_change_request,
    test_change_tour,
    test_concurrency,
    test_multi_company,
    test_policy_checks,
    test_policy_gate_queries,
    test_policy_performance,
    test_review_sla,
    test_review_sla_tour,
    test_security_rpc,
    test_tour_approval,
)
