from odoo import fields, models


class SalePolicyExceptionOverride(models.TransientModel):
    _name = "sale.policy.exception.override"
    _description = "Override a Blocking Order Exception"

    exception_ids = fields.Many2many("sale.policy.exception", string="Exceptions", required=True)
    reason = fields.Text(required=True)

    def action_override(self):
        self.ensure_one()
        self.exception_ids._policy_override(self.reason)
        return {"type": "ir.actions.act_window_close"}
