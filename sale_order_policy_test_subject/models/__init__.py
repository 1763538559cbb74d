from . import sale_policy_review, sale_policy_rule, sale_policy_test_subject
