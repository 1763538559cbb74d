from datetime import timedelta

from odoo import fields, models
from odoo.tools import format_date

from .sale_order_checks import PASS, WARNING

# Rule actions that supply goods for the order: `buy` (purchase_stock) and `manufacture`
# (mrp) exist only with those modules; absent, no rule carries them.
SUPPLY_ACTIONS = ("buy", "manufacture")


def _may_supply(rule):
    return rule.procure_method != "make_to_stock" or rule.action in SUPPLY_ACTIONS


class SaleOrder(models.Model):
    """Supply check (采购审核): lines bought, manufactured or made to order must be
    supplied by the delivery date. Lead times are Odoo's own (`stock.rule._get_lead_days`:
    rule delays, vendor lead time and purchase security lead time with purchase_stock,
    manufacturing lead time and its security lead time with mrp) plus the company's sales
    security lead time."""

    _inherit = "sale.order"

    def _policy_check_supply(self):
        if not self.commitment_date:
            return PASS, self.env._("No committed delivery date to check.")
        committed = fields.Date.context_today(self, self.commitment_date)
        late = []
        for line, supply_date, details in self._policy_supply_dates():
            if supply_date > committed:
                late.append(
                    self.env._(
                        "- %(product)s: supplied on %(date)s at the earliest (%(details)s)",
                        product=line.product_id.display_name,
                        date=format_date(self.env, supply_date),
                        details=details,
                    )
                )
        if late:
            return WARNING, self.env._(
                "Bought or made-to-order goods miss the delivery date %(date)s:\n%(lines)s",
                date=format_date(self.env, committed),
                lines="\n".join(late),
            )
        return PASS, self.env._("Bought and made-to-order goods arrive in time.")

    def _policy_supply_dates(self):
        """(line, earliest supply date, explanation) of each line supplied for the order."""
        today = fields.Date.context_today(self)
        company = self.company_id
        security = self.env._(
            "Sales Security Lead Time + %(days)s day(s)", days=int(company.security_lead or 0)
        )
        result = []
        goods = self.order_line.filtered(
            lambda line: not line.display_type and line.product_id.type == "consu"
        )
        # Odoo's rule walk only for lines whose routes may procure, and once per set of
        # routes: the rules depend on the product through its routes alone (with
        # purchase_stock every new product has the Buy route, so most lines get here).
        walks = {}
        for line in self._policy_lines_with_rule(goods, _may_supply):
            product = line.product_id
            key = (
                line.route_id.ids,
                product.route_ids.ids,
                product.categ_id.total_route_ids.ids,
                line.product_packaging_id.route_ids.ids,
                line.warehouse_id.id,
                line._get_location_final().id,
            )
            key = tuple(tuple(part) if isinstance(part, list) else part for part in key)
            if key not in walks:
                walks[key] = self._policy_supply_rules(line)
            rules = walks[key]
            if not rules:
                continue
            product = line.product_id.sudo().with_company(company)
            delays, descriptions = rules.with_context(global_visibility_days=0)._get_lead_days(
                product
            )
            days = delays["total_delay"] + (company.security_lead or 0.0)
            details = [f"{label} {value}" for label, value in descriptions]
            details.append(security)
            result.append((line, today + timedelta(days=days), ", ".join(details)))
        return result

    def _policy_supply_rules(self, line):
        """The stock rules that would supply `line` when it is not served from stock, by
        Odoo's own rule walk from the customer location (make-to-order chains, dropship,
        buy, manufacture); none for a make-to-stock line (the stock check's)."""
        company = self.company_id
        product = line.product_id.sudo().with_company(company)
        rule = (
            self.env["procurement.group"]
            .sudo()
            .with_company(company)
            ._get_rule(
                product,
                line._get_location_final(),
                {
                    "route_ids": line.route_id,
                    "warehouse_id": line.warehouse_id,
                    "company_id": company,
                    "product_packaging_id": line.product_packaging_id,
                },
            )
        )
        if not rule or rule.action in SUPPLY_ACTIONS:
            return rule
        if rule.procure_method == "make_to_stock" or rule.action not in ("pull", "pull_push"):
            return rule.browse()
        return product._get_rules_from_location(rule.location_src_id, seen_rules=rule)
