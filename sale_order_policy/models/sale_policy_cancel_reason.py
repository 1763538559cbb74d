from odoo import fields, models


class SalePolicyCancelReason(models.Model):
    """Configurable reasons for cancelling an order (取消原因)."""

    _name = "sale.policy.cancel.reason"
    _description = "Sales Order Cancellation Reason"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, help="Leave empty to offer the reason in every company."
    )
    note_required = fields.Boolean(
        string="Details Required",
        help="The requester must explain the cancellation in the free-text field.",
    )

    _sql_constraints = [
        (
            "name_company_uniq",
            "unique(name, company_id)",
            "A cancellation reason with this name already exists.",
        ),
    ]
