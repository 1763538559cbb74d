from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

# Milestones of the tracking feature (docs/ARCHITECTURE.md); read from the stored fields
# when they exist, otherwise derived from the pickings, invoices and reconciliations.
MILESTONES = ("policy_delivered_on", "policy_invoiced_on", "policy_paid_on")


class SaleOrder(models.Model):
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
            dates = order._policy_settlement_dates()
            order.policy_delivery_to_invoice_days = self._policy_days_between(
                dates["policy_delivered_on"], dates["policy_invoiced_on"]
            )
            order.policy_invoice_to_payment_days = self._policy_days_between(
                dates["policy_invoiced_on"], dates["policy_paid_on"]
            )

    def _compute_policy_to_settle(self):
        to_settle = self.filtered_domain([("policy_to_settle", "=", True)])
        for order in self:
            order.policy_to_settle = order in to_settle

    def _search_policy_to_settle(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on 'To Settle'."))
        candidates = self.search(
            [
                ("state", "=", "sale"),
                ("invoice_status", "=", "to invoice"),
                ("delivery_status", "=", "full"),
            ]
        )
        now = fields.Datetime.now()
        ids = [
            order.id
            for order in candidates
            if (delivered := order._policy_settlement_dates()["policy_delivered_on"])
            and delivered <= now - timedelta(days=order.company_id.sale_policy_settle_days)
        ]
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", ids)]

    @api.model
    def _policy_days_between(self, start, end):
        if not start or not end:
            return 0.0
        return round((end - start).total_seconds() / 86400.0, 1)

    def _policy_settlement_dates(self):
        """Delivered, invoiced and paid (settled) datetimes of the order, UTC, or False."""
        self.ensure_one()
        if all(name in self._fields for name in MILESTONES):
            return {name: self[name] for name in MILESTONES}
        delivered = invoiced = paid = False
        if self.delivery_status == "full":
            done = self.picking_ids.filtered(
                lambda p: p.state == "done" and p.picking_type_code == "outgoing"
            )
            delivered = max(done.mapped("date_done"), default=False)
        invoices = self.invoice_ids.filtered(
            lambda m: m.state == "posted" and m.move_type == "out_invoice"
        )
        if invoices and self.invoice_status == "invoiced":
            invoiced = max(
                fields.Datetime.to_datetime(m.invoice_date) for m in invoices if m.invoice_date
            )
            if all(m.payment_state in ("paid", "in_payment", "reversed") for m in invoices):
                matched = invoices.line_ids.filtered(
                    lambda line: line.account_type == "asset_receivable"
                ).matched_credit_ids
                last = max(matched.mapped("max_date"), default=False)
                paid = fields.Datetime.to_datetime(last) if last else False
        return {
            "policy_delivered_on": delivered,
            "policy_invoiced_on": invoiced,
            "policy_paid_on": paid,
        }
