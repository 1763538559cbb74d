"""18.0.1.1.0: the record rules of reviewers read `sale.order.policy_reader_user_ids`
(reviewers of opened steps and escalation users; their substitutes through the rule
context `policy_principal_ids`). Fill it from the reviews opened before the upgrade and
rewrite the rules, which are noupdate records."""

from odoo import SUPERUSER_ID, api

READERS = "('policy_reader_user_ids', 'in', policy_principal_ids)"
ORDER_READERS = "('order_id.policy_reader_user_ids', 'in', policy_principal_ids)"
RULE_DOMAINS = {
    "sale_order_rule_policy_reviewer": f"[{READERS}]",
    "sale_order_line_rule_policy_reviewer": f"[{ORDER_READERS}]",
    "sale_policy_check_rule_own": f"['|', ('order_id.user_id', '=', user.id), {ORDER_READERS}]",
    "sale_policy_log_rule_own": (
        f"['|', '|', ('user_id', '=', user.id), ('order_id.user_id', '=', user.id), "
        f"{ORDER_READERS}]"
    ),
    "sale_policy_revision_rule_own": f"['|', ('order_id.user_id', '=', user.id), {ORDER_READERS}]",
}
# Covered by the reviewer rules now that escalation users are readers.
OBSOLETE_RULES = ("sale_order_rule_policy_escalated", "sale_order_line_rule_policy_escalated")


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        INSERT INTO sale_order_policy_reader_rel (order_id, user_id)
        SELECT review.order_id, rel.user_id
          FROM sale_policy_review review
          JOIN sale_policy_review_reviewer_rel rel ON rel.review_id = review.id
        UNION
        SELECT review.order_id, rel.user_id
          FROM sale_policy_review review
          JOIN sale_policy_review_escalation_rel rel ON rel.review_id = review.id
        ON CONFLICT DO NOTHING
        """
    )
    env = api.Environment(cr, SUPERUSER_ID, {})
    for name, domain in RULE_DOMAINS.items():
        rule = env.ref(f"sale_order_policy.{name}", raise_if_not_found=False)
        if rule:
            rule.domain_force = domain
    for name in OBSOLETE_RULES:
        rule = env.ref(f"sale_order_policy.{name}", raise_if_not_found=False)
        if rule:
            rule.unlink()
