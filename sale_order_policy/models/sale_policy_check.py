from odoo import fields, models


class SalePolicyCheck(models.Model):
    """Result of one automated check on one order, kept with the review round it fed."""

    _name = "sale.policy.check"
    _inherit = "sale.policy.protected.mixin"
    _description = "Sales Policy Check Result"
    _order = "order_id, review_round desc, sequence, id"
    _check_company_auto = True

    # auto_join: record rules on the order's salesperson join, never scan every order.
    order_id = fields.Many2one(
        "sale.order",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
        auto_join=True,
    )
    company_id = fields.Many2one(
        related="order_id.company_id", store=True, index=True, precompute=True
    )
    check_type_id = fields.Many2one("sale.policy.check.type", required=True, ondelete="restrict")
    code = fields.Char(related="check_type_id.code", store=True, precompute=True)
    sequence = fields.Integer(related="check_type_id.sequence", store=True, precompute=True)
    result = fields.Selection(
        [("pass", "Pass"), ("warning", "Warning"), ("block", "Block")],
        required=True,
        index=True,
    )
    message = fields.Text()
    review_round = fields.Integer(
        string="Round", help="The submission round these results were computed for."
    )
    # Results of earlier rounds are archived, never deleted.
    active = fields.Boolean(default=True)
