from odoo import api, fields, models
from odoo.tools import format_amount

PASS, WARNING, BLOCK = "pass", "warning", "block"


class SaleOrder(models.Model):
    """Credit check (信用审核): exposure of the commercial partner against Odoo's credit limit."""

    _inherit = "sale.order"

    policy_company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    policy_credit_exposure = fields.Monetary(
        string="Credit Exposure",
        currency_field="policy_company_currency_id",
        compute="_compute_policy_credit",
        help="Open receivables + confirmed orders not yet invoiced + this order, in company "
        "currency, for the customer and all its contacts. Unlike Odoo's credit warning, "
        "confirmed orders count by ordered, not delivered, quantity not yet invoiced.",
        groups="base.group_user",
    )
    policy_credit_limit = fields.Monetary(
        string="Credit Limit",
        currency_field="policy_company_currency_id",
        compute="_compute_policy_credit",
        groups="base.group_user",
    )

    @api.depends("partner_id", "amount_total", "company_id")
    def _compute_policy_credit(self):
        for order in self:
            if not order.partner_id or not order.company_id:
                order.policy_credit_exposure = order.policy_credit_limit = 0.0
                continue
            figures = order._policy_credit_figures()
            order.policy_credit_exposure = figures["exposure"]
            order.policy_credit_limit = figures["limit"] or 0.0

    def _policy_credit_figures(self):
        """The customer's exposure with this order (`res.partner._policy_credit_exposure`):
        the order counts as `order` and is left out of the confirmed orders to invoice."""
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        exposures = partner._policy_credit_exposure(self.company_id, order=self)
        return exposures[partner.id, self.company_id.id]

    def _policy_credit_order_amount(self):
        """What this order adds to the exposure, in company currency: a quotation its
        total, a confirmed order what it has left to invoice."""
        self.ensure_one()
        if self.state != "sale":
            return self._policy_amount_company()
        company = self.company_id
        to_invoice = sum(
            line.price_total
            * max(line.product_uom_qty - line.qty_invoiced, 0)
            / line.product_uom_qty
            for line in self.order_line
            if line.product_uom_qty > 0
        )
        return self.currency_id._convert(
            to_invoice, company.currency_id, company, fields.Date.context_today(self)
        )

    def _policy_check_credit(self):
        company = self.company_id
        currency = company.currency_id
        figures = self._policy_credit_figures()
        limit = figures["limit"]
        messages, result = [], PASS
        if limit is None:
            result = WARNING
            messages.append(
                self.env._(
                    "No credit limit is set for %(partner)s.",
                    partner=self.partner_id.commercial_partner_id.display_name,
                )
            )
        elif figures["over_limit"]:
            result = BLOCK
            messages.append(
                self.env._(
                    "Credit limit exceeded: limit %(limit)s, exposure %(exposure)s "
                    "(%(components)s), excess %(excess)s.",
                    limit=format_amount(self.env, limit, currency),
                    exposure=format_amount(self.env, figures["exposure"], currency),
                    components=self._policy_credit_breakdown(figures),
                    excess=format_amount(self.env, figures["exposure"] - limit, currency),
                )
            )
        if currency.compare_amounts(figures["overdue"], 0.0) > 0:
            if company.sale_policy_overdue_block:
                result = BLOCK
            elif result == PASS:
                result = WARNING
            messages.append(
                self.env._(
                    "%(amount)s of receivables are overdue by more than %(days)s days.",
                    amount=format_amount(self.env, figures["overdue"], currency),
                    days=company.sale_policy_overdue_days,
                )
            )
        if result == PASS:
            messages.append(
                self.env._(
                    "Exposure %(exposure)s is within the credit limit %(limit)s.",
                    exposure=format_amount(self.env, figures["exposure"], currency),
                    limit=format_amount(self.env, limit, currency),
                )
            )
        return result, "\n".join(messages)

    def _policy_credit_breakdown(self, figures):
        """ "Open receivables ¥500.00 + … + This order ¥200.00": the components counted."""
        currency = self.company_id.currency_id
        return " + ".join(
            f"{component['label']} {format_amount(self.env, figures[component['key']], currency)}"
            for component in self.env["res.partner"]._policy_exposure_components()
            if component.get("in_total", True)
        )
