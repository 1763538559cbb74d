"""18.0.1.3.0: logistics and purchasing reviewers (物流审核 / 采购审核) imply the technical
Order Reviewer group, which joins the reviewer rules (noupdate) on orders, lines and
optional products so that they open the orders they review."""

from odoo import SUPERUSER_ID, Command, api

READER_RULES = (
    "sale_order_rule_policy_reviewer",
    "sale_order_line_rule_policy_reviewer",
    "sale_order_option_rule_policy_reviewer",
)


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    group = env.ref("sale_order_policy.group_order_reviewer")
    for xmlid in READER_RULES:
        rule = env.ref(f"sale_order_policy.{xmlid}", raise_if_not_found=False)
        if rule:
            rule.groups = [Command.link(group.id)]
