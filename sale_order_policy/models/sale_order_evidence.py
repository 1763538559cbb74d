from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .sale_policy_protected_mixin import is_policy_privileged

# What the customer confirmed the order with (确认方式 and its evidence, 重要数据的保存).
EVIDENCE_FIELDS = ("customer_confirmation_method", "customer_confirmation_attachment_ids")
# The evidence is kept from submission on: under review, approved, confirmed.
EVIDENCE_LOCKED_STATES = ("pending", "approved")


class SaleOrder(models.Model):
    """The customer confirmation evidence of a submitted order is kept: it cannot be removed
    or replaced outside the engine (a change request); more evidence may be added."""

    _inherit = "sale.order"

    policy_evidence_locked = fields.Boolean(compute="_compute_policy_evidence_locked")

    @api.depends("approval_state", "company_id.sale_policy_enabled")
    def _compute_policy_evidence_locked(self):
        for order in self:
            order.policy_evidence_locked = (
                order._policy_active() and order.approval_state in EVIDENCE_LOCKED_STATES
            )

    def write(self, vals):
        if is_policy_privileged() or not set(EVIDENCE_FIELDS) & set(vals):
            return super().write(vals)
        locked = self.filtered("policy_evidence_locked")
        before = {order.id: order._policy_evidence() for order in locked}
        res = super().write(vals)
        for order in locked:
            method, attachment_ids = before[order.id]
            new_method, new_attachment_ids = order._policy_evidence()
            if new_method != method or not attachment_ids <= new_attachment_ids:
                order._policy_refuse_evidence_change()
        return res

    def _policy_evidence(self):
        self.ensure_one()
        return (
            self.customer_confirmation_method,
            set(self.sudo().customer_confirmation_attachment_ids.ids),
        )

    def _policy_refuse_evidence_change(self):
        raise UserError(
            self.env._(
                "Order %(order)s was submitted with this customer confirmation: its method and "
                "evidence are kept and cannot be removed or replaced (more evidence may be "
                "added). A confirmed order changes it through “Request Change”; a quotation "
                "must be rejected or cancelled first.",
                order=", ".join(self.mapped("display_name")),
            )
        )

    @api.model
    def _policy_evidence_orders(self, attachment_ids):
        """Orders whose kept evidence includes one of `attachment_ids` (one query)."""
        if not attachment_ids:
            return self.browse()
        self.flush_model(["approval_state", "company_id", "customer_confirmation_attachment_ids"])
        self.env["res.company"].flush_model(["sale_policy_enabled"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT DISTINCT rel.order_id
                  FROM sale_order_policy_confirmation_attachment_rel rel
                  JOIN sale_order so ON so.id = rel.order_id
                  JOIN res_company company ON company.id = so.company_id
                 WHERE rel.attachment_id IN %s
                   AND so.approval_state IN %s
                   AND company.sale_policy_enabled
                """,
                tuple(attachment_ids),
                EVIDENCE_LOCKED_STATES,
            )
        )
        return self.browse(row[0] for row in rows)
