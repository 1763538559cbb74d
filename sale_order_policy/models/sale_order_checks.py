import math
from datetime import timedelta

from odoo import fields, models
from odoo.tools import (
    float_compare,
    float_is_zero,
    float_round,
    format_amount,
    format_date,
    formatLang,
)

from .sale_policy_protected_mixin import policy_privileged

PASS, WARNING, BLOCK = "pass", "warning", "block"


def _procures_for_the_order(rule):
    """A rule that gets the goods for the order instead of taking them from stock."""
    return (
        rule.procure_method == "make_to_order"
        or rule.action == "manufacture"
        or (rule.location_src_id.usage == "supplier" and rule.location_dest_id.usage == "customer")
    )


class SaleOrder(models.Model):
    """Automated review checks (订单审核). Each check type's code names a method
    `_policy_check_<code>()` returning `(result, message)`."""

    _inherit = "sale.order"

    def _policy_run_checks(self, review_round):
        """Run every active check and store the results for `review_round`."""
        self.ensure_one()
        Check = self.env["sale.policy.check"].sudo()
        vals_list = []
        check_types = (
            self.env["sale.policy.check.type"]
            .sudo()
            .search_fetch([], ["code", "sequence", "active"])
        )
        for check_type in check_types:
            method = getattr(self, f"_policy_check_{check_type.code}", None)
            if method is None:
                continue
            result, message = method()
            vals_list.append(
                {
                    "order_id": self.id,
                    "check_type_id": check_type.id,
                    "result": result,
                    "message": message,
                    "review_round": review_round,
                }
            )
        with policy_privileged():
            current = Check.search([("order_id", "=", self.id)])
            # Results not yet submitted are replaced; those of submitted rounds are kept.
            unsubmitted = current.filtered(lambda c: c.review_round >= review_round)
            (current - unsubmitted).write({"active": False})
            unsubmitted.unlink()
            checks = Check.create(vals_list)
        self.invalidate_recordset(["policy_check_ids"])
        self.modified(["policy_check_ids"])
        return checks

    # ------------------------------------------------------------------
    # Completeness (订单要素)
    # ------------------------------------------------------------------

    def _policy_check_completeness(self):
        missing = self._policy_missing_customer_elements() + self._policy_missing_line_elements()
        company = self.company_id
        missing += [
            label
            for switch, present, label in self._policy_required_elements()
            if company[switch] and not present()
        ]
        if missing:
            return BLOCK, "\n".join(f"- {item}" for item in missing)
        return PASS, self.env._("All required order elements are present.")

    def _policy_required_elements(self):
        """The switchable order elements: (company switch field, callable telling whether
        the order carries the element, label). Features append theirs."""
        return [
            (
                "sale_policy_require_addresses",
                lambda: self.partner_invoice_id and self.partner_shipping_id,
                self.env._("the invoice and delivery addresses"),
            ),
            (
                "sale_policy_require_contact",
                lambda: not self.partner_id
                or any(
                    p.phone or p.mobile or p.email
                    for p in self.partner_id | self.partner_id.commercial_partner_id
                ),
                self.env._("a phone number or email of the customer"),
            ),
            (
                "sale_policy_require_commitment_date",
                lambda: self.commitment_date,
                self.env._("the delivery date"),
            ),
            (
                "sale_policy_require_payment_term",
                lambda: self.payment_term_id,
                self.env._("payment terms"),
            ),
            (
                "sale_policy_require_confirmation",
                lambda: self.customer_confirmation_method,
                self.env._("how the customer confirmed the order (written, phone or email)"),
            ),
            (
                "sale_policy_require_intake_channel",
                lambda: self.intake_channel,
                self.env._("the intake channel"),
            ),
        ]

    def _policy_missing_customer_elements(self):
        return [] if self.partner_id else [self.env._("the customer")]

    def _policy_missing_line_elements(self):
        missing = []
        if not self.company_id.sale_policy_require_priced_lines:
            return missing
        lines = self.order_line.filtered(lambda line: not line.display_type)
        if not lines:
            missing.append(self.env._("at least one order line"))
        for line in lines:
            # The label (a product display name is costly) only when something is missing.
            def label(line=line):
                return line.product_id.display_name or line.name or "?"

            if not line.product_id and not line.is_downpayment:
                missing.append(self.env._("a product on line “%(line)s”", line=label()))
            if float_compare(line.product_uom_qty, 0.0, precision_digits=6) <= 0:
                missing.append(self.env._("a quantity above zero on line “%(line)s”", line=label()))
            # A shipping line at zero is Odoo's "real cost" carrier: priced at delivery.
            if line.price_unit < 0 or (
                not line.policy_free_of_charge
                and not line.is_downpayment
                and not line._is_delivery()
                and line.currency_id.is_zero(line.price_unit)
            ):
                missing.append(
                    self.env._(
                        "a price above zero on line “%(line)s” (or flag it free of charge)",
                        line=label(),
                    )
                )
        return missing

    # ------------------------------------------------------------------
    # Stock (库存)
    # ------------------------------------------------------------------

    def _policy_stock_lines(self):
        """Storable lines served from stock: not make-to-order, manufactured or dropshipped."""
        lines = self.order_line.filtered(lambda line: not line.display_type and line.product_id)
        storable = lines.filtered(lambda line: line.product_id.is_storable)
        return storable - self._policy_lines_with_rule(storable, _procures_for_the_order)

    def _policy_lines_with_rule(self, lines, rule_test):
        """The `lines` whose own routes (line, product, category) hold a rule passing
        `rule_test`: one evaluation per distinct route set (an order's lines share a few)."""
        category_routes = {}
        verdicts = {}

        def test(line):
            product = line.product_id
            category = product.categ_id
            if category.id not in category_routes:
                category_routes[category.id] = category.total_route_ids._ids
            key = frozenset(
                line.route_id._ids + product.route_ids._ids + category_routes[category.id]
            )
            if key not in verdicts:
                rules = self.env["stock.route"].browse(tuple(key)).rule_ids
                verdicts[key] = any(rule_test(rule) for rule in rules)
            return verdicts[key]

        return lines.filtered(test)

    def _policy_check_stock(self):
        lines = self._policy_stock_lines()
        if not lines:
            return PASS, self.env._("No line is served from stock.")
        needed = {}
        for line in lines:
            qty = line.product_uom._compute_quantity(line.product_uom_qty, line.product_id.uom_id)
            needed[line.product_id] = needed.get(line.product_id, 0.0) + qty
        products = lines.product_id.with_context(warehouse_id=self.warehouse_id.id)
        # The forecast of `virtual_available` in one grouped computation, without filling
        # the cache with the product's other quantity fields.
        forecast = products._compute_quantities_dict(
            None, None, None, to_date=self.commitment_date or fields.Datetime.now()
        )
        shortages = []
        for product in products:
            available = forecast[product.id]["virtual_available"]
            missing = needed[product] - available
            if float_compare(missing, 0.0, precision_rounding=product.uom_id.rounding) > 0:
                uom = product.uom_id
                shortages.append(
                    self.env._(
                        "- %(product)s: needed %(needed)s, available %(available)s, "
                        "missing %(missing)s",
                        product=product.display_name,
                        needed=self._policy_format_quantity(needed[product], uom),
                        available=self._policy_format_quantity(available, uom),
                        missing=self._policy_format_quantity(missing, uom),
                    )
                )
        if shortages:
            return WARNING, self.env._(
                "Stock shortage in %(warehouse)s on %(date)s:\n%(lines)s",
                warehouse=self.warehouse_id.name,
                date=format_date(self.env, self.commitment_date or fields.Date.today()),
                lines="\n".join(shortages),
            )
        return PASS, self.env._("Stock covers every line.")

    def _policy_format_quantity(self, quantity, uom):
        """“1,234 Units”: the user's number format, decimals only when there are some."""
        quantity = float_round(quantity, precision_rounding=uom.rounding)
        decimals = 0
        if not float_is_zero(quantity % 1, precision_rounding=uom.rounding):
            decimals = max(0, math.ceil(-math.log10(uom.rounding)))
        return f"{formatLang(self.env, quantity, digits=decimals)} {uom.name}"

    # ------------------------------------------------------------------
    # Price (价格)
    # ------------------------------------------------------------------

    def _policy_check_price(self):
        company = self.company_id
        max_discount = company.sale_policy_max_discount
        min_margin = company.sale_policy_min_margin
        # Product names are read only for the lines that fail (a display name is costly).
        warnings, blocks = [], []
        date = self.date_order or fields.Date.context_today(self)
        for line in self.order_line.filtered(
            lambda line: not line.display_type
            and line.product_id
            and not line.is_downpayment
            and not line.policy_free_of_charge
        ):
            currency = line.currency_id
            net_price = line.price_unit * (1 - (line.discount or 0.0) / 100)
            list_price = line._get_pricelist_price()
            floor = list_price * (1 - max_discount / 100)
            if currency.compare_amounts(net_price, floor) < 0:
                warnings.append(
                    self.env._(
                        "- %(product)s: net price %(price)s is %(pct)s%% below the pricelist "
                        "price %(list)s (max. %(max)s%%)",
                        product=line.product_id.display_name,
                        price=format_amount(self.env, net_price, currency),
                        pct=round((1 - net_price / list_price) * 100, 2) if list_price else 100,
                        list=format_amount(self.env, list_price, currency),
                        max=max_discount,
                    )
                )
            cost = line.product_id.uom_id._compute_price(
                line.product_id.with_company(company).standard_price, line.product_uom
            )
            cost = company.currency_id._convert(cost, currency, company, date)
            if cost and currency.compare_amounts(net_price, cost) < 0:
                blocks.append(
                    self.env._(
                        "- %(product)s: net price %(price)s is below cost %(cost)s",
                        product=line.product_id.display_name,
                        price=format_amount(self.env, net_price, currency),
                        cost=format_amount(self.env, cost, currency),
                    )
                )
            elif cost and min_margin and net_price:
                margin = (net_price - cost) / net_price * 100
                if margin < min_margin:
                    warnings.append(
                        self.env._(
                            "- %(product)s: margin %(margin)s%% is below %(min)s%%",
                            product=line.product_id.display_name,
                            margin=round(margin, 2),
                            min=min_margin,
                        )
                    )
        if blocks:
            return BLOCK, "\n".join(blocks + warnings)
        if warnings:
            return WARNING, "\n".join(warnings)
        return PASS, self.env._("Prices follow the pricelist.")

    # ------------------------------------------------------------------
    # Delivery date (交货期)
    # ------------------------------------------------------------------

    def _policy_earliest_delivery_date(self):
        lead = (
            max(
                (line.product_id.sale_delay or 0.0)
                for line in self.order_line.filtered(lambda line: line.product_id)
            )
            if self.order_line.filtered(lambda line: line.product_id)
            else 0.0
        )
        days = lead + (self.company_id.security_lead or 0.0)
        return fields.Date.context_today(self) + timedelta(days=days)

    def _policy_check_delivery_date(self):
        if not self.commitment_date:
            return PASS, self.env._("No committed delivery date to check.")
        feasible = self._policy_earliest_delivery_date()
        committed = fields.Date.context_today(self, self.commitment_date)
        if committed < feasible:
            return WARNING, self.env._(
                "The committed delivery date %(date)s is earlier than the earliest feasible "
                "date %(feasible)s (customer lead time plus security lead time).",
                date=format_date(self.env, committed),
                feasible=format_date(self.env, feasible),
            )
        return PASS, self.env._("The delivery date is feasible.")

    # ------------------------------------------------------------------
    # Payment terms (付款方式)
    # ------------------------------------------------------------------

    def _policy_check_payment_term(self):
        term = self.payment_term_id
        if not term:
            return PASS, self.env._("No payment terms to compare.")
        partner = self.partner_id.commercial_partner_id.with_company(self.company_id)
        agreed = partner.property_payment_term_id | self.company_id.sale_policy_payment_term_ids
        if term not in agreed:
            return WARNING, self.env._(
                "Payment terms %(term)s differ from the customer's agreed terms %(agreed)s.",
                term=term.display_name,
                agreed=", ".join(agreed.mapped("display_name")) or self.env._("(none)"),
            )
        return PASS, self.env._("Payment terms are the agreed ones.")
