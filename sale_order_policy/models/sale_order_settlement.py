from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression


class SaleOrder(models.Model):
    """Settlement (结算) of delivered orders; the milestones come from the tracking
    feature: `policy_delivered_on`, `policy_invoiced_on`, `policy_paid_on` (= settled)."""

    _inherit = "sale.order"

    policy_invoiced_percent = fields.Float(
        string="Invoiced (%)",
        compute="_compute_policy_settlement",
        digits=(16, 1),
        help="Posted invoices minus credit notes, as a share of the order total.",
    )
    policy_paid_percent = fields.Float(
        string="Paid (%)",
        compute="_compute_policy_settlement",
        digits=(16, 1),
        help="Paid part of the posted invoices, as a share of the order total.",
    )
    policy_open_receivable = fields.Monetary(
        string="Open Receivable",
        compute="_compute_policy_settlement",
        help="What the customer still owes on the posted invoices of this order.",
    )
    policy_delivery_to_invoice_days = fields.Float(
        string="Delivery to Invoice (days)",
        compute="_compute_policy_settlement",
        digits=(16, 1),
    )
    policy_invoice_to_payment_days = fields.Float(
        string="Invoice to Payment (days)",
        compute="_compute_policy_settlement",
        digits=(16, 1),
    )
    policy_to_settle = fields.Boolean(
        string="To Settle",
        compute="_compute_policy_to_settle",
        search="_search_policy_to_settle",
        help="Fully delivered, still not invoiced after the company's settlement days.",
    )

    @api.depends(
        "amount_total",
        "invoice_ids.state",
        "invoice_ids.amount_total",
        "invoice_ids.amount_residual",
        "invoice_ids.payment_state",
        "policy_delivered_on",
        "policy_invoiced_on",
        "policy_paid_on",
    )
    def _compute_policy_settlement(self):
        for order in self:
            invoices = order.invoice_ids.filtered(
                lambda move, currency=order.currency_id: move.state == "posted"
                and move.currency_id == currency
            )
            invoiced = paid = open_amount = 0.0
            for invoice in invoices:
                sign = -1 if invoice.move_type == "out_refund" else 1
                invoiced += sign * invoice.amount_total
                paid += sign * (invoice.amount_total - invoice.amount_residual)
                open_amount += sign * invoice.amount_residual
            total = order.amount_total
            order.policy_invoiced_percent = 100.0 * invoiced / total if total else 0.0
            order.policy_paid_percent = 100.0 * paid / total if total else 0.0
            order.policy_open_receivable = open_amount
            order.policy_delivery_to_invoice_days = self._policy_days_between(
                order.policy_delivered_on, order.policy_invoiced_on
            )
            order.policy_invoice_to_payment_days = self._policy_days_between(
                order.policy_invoiced_on, order.policy_paid_on
            )

    @api.depends("state", "invoice_status", "policy_delivered_on")
    def _compute_policy_to_settle(self):
        now = fields.Datetime.now()
        for order in self:
            delivered = order.policy_delivered_on
            order.policy_to_settle = bool(
                order.state == "sale"
                and order.invoice_status == "to invoice"
                and delivered
                and delivered <= now - timedelta(days=order.company_id.sale_policy_settle_days)
            )

    def _search_policy_to_settle(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on 'To Settle'."))
        now = fields.Datetime.now()
        per_company = [
            [
                ("company_id", "=", company.id),
                (
                    "policy_delivered_on",
                    "<=",
                    now - timedelta(days=company.sale_policy_settle_days),
                ),
            ]
            for company in self.env["res.company"].sudo().search([])
        ]
        domain = expression.AND(
            [
                [("state", "=", "sale"), ("invoice_status", "=", "to invoice")],
                expression.OR(per_company),
            ]
        )
        if (operator == "=") == value:
            return domain
        return ["!", *domain]

    @api.model
    def _policy_days_between(self, start, end):
        if not start or not end:
            return 0.0
        return round((end - start).total_seconds() / 86400.0, 1)
