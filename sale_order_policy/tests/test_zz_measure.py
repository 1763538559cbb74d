from odoo.tests import tagged

from .test_policy_performance import TestPolicyQueryCounts


@tagged("post_install", "-at_install")
class TestMeasure(TestPolicyQueryCounts):
    def test_measure(self):
        self._submit_and_approve_counts(5)
        counts = self._submit_and_approve_counts(5)
        change = self._measure_change()
        print("MEASURE", counts, change)

    def _measure_change(self):
        return None
