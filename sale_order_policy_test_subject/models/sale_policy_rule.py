from odoo import fields, models

TEST_SUBJECTS = [("test_subject", "Test Subject")]


class SalePolicyRule(models.Model):
    _inherit = "sale.policy.rule"

    applies_to = fields.Selection(
        selection_add=TEST_SUBJECTS,
        ondelete={"test_subject": lambda rules: rules._policy_retire_subject()},
    )
