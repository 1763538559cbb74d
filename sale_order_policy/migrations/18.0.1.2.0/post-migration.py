"""18.0.1.2.0: the gate compares an order with the version that was submitted
(`policy_approved_content`). Quotations under review or approved before the upgrade get
their current content as that version, and their salesperson and creator as parties."""

from odoo import SUPERUSER_ID, api
from odoo.addons.sale_order_policy.models.many2many_pairs import link_pairs
from odoo.addons.sale_order_policy.models.sale_policy_protected_mixin import policy_privileged


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
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
