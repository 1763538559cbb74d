from odoo import fields, models

from .sale_policy_rule import TEST_SUBJECTS


class SalePolicyReview(models.Model):
    _inherit = "sale.policy.review"

    applies_to = fields.Selection(
        selection_add=TEST_SUBJECTS, ondelete={"test_subject": "set default"}
    )
