from odoo import fields, models


class SalePolicyReject(models.TransientModel):
    _name = "sale.policy.reject"
    _description = "Reject a Sales Policy Review"

    review_ids = fields.Many2many("sale.policy.review", string="Reviews", required=True)
    reason = fields.Text(required=True)

    def action_reject(self):
        self.ensure_one()
        self.review_ids.action_reject(self.reason)
        return {"type": "ir.actions.act_window_close"}
