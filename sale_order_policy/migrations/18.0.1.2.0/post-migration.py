"""18.0.1.2.0: the gate compares an order with the version that was submitted
(`policy_approved_content`). Quotations under review or approved before the upgrade get
their current content as that version, and their salesperson and creator as parties.
The reviewer rules (noupdate) read delegations per company and date through
`policy_reader_domain`."""

from odoo import SUPERUSER_ID, api
from odoo.addons.sale_order_policy.models.sale_policy_protected_mixin import policy_privileged
from odoo.addons.sale_order_policy.tools.many2many import link_pairs

RULE_DOMAINS = {
    "sale_order_rule_policy_reviewer": "policy_reader_domain()",
    "sale_order_line_rule_policy_reviewer": "policy_reader_domain('order_id.')",
    "sale_policy_check_rule_own": (
        "['|', ('order_id.user_id', '=', user.id)] + policy_reader_domain('order_id.')"
    ),
    "sale_policy_log_rule_own": (
        "['|', '|', ('user_id', '=', user.id), ('order_id.user_id', '=', user.id)] "
        "+ policy_reader_domain('order_id.')"
    ),
    "sale_policy_revision_rule_own": (
        "['|', ('order_id.user_id', '=', user.id)] + policy_reader_domain('order_id.')"
    ),
    "sale_policy_review_rule_own": (
        "['|', '|', ('order_id.user_id', '=', user.id),\n"
        "            ('rule_id.escalation_user_ids', 'in', [user.id])] "
        "+ policy_reader_domain('', 'reviewer_user_ids')"
    ),
}


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    for xmlid, domain in RULE_DOMAINS.items():
        rule = env.ref(f"sale_order_policy.{xmlid}", raise_if_not_found=False)
        if rule:
            rule.domain_force = domain
    orders = env["sale.order"].search(
        [("state", "in", ("draft", "sent")), ("approval_state", "in", ("pending", "approved"))]
    )
    with policy_privileged():
        orders._policy_store_approved_content()
    link_pairs(
        env["sale.order"],
        "policy_party_user_ids",
        [(o.id, u.id) for o in orders for u in (o.user_id | o.create_uid)],
    )
