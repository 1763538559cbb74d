import json

from odoo import Command
from odoo.tests import tagged

from .common_rpc import PolicyRpcCase

# Context keys a caller might hope the module honours; none of them opens the gate.
BYPASS_CONTEXTS = [
    {"sale_policy_bypass": True},
    {"skip_policy": True, "force": True},
    {"install_mode": True, "module": "sale_order_policy"},
    {"tracking_disable": True, "mail_notrack": True},
    {"sale_policy_privileged": True, "active_test": False},
    {"proforma": True, "validate_analytic": False},
]


@tagged("post_install", "-at_install")
class TestAdversarialRpc(PolicyRpcCase):
    """Every bypass attempt over real XML-RPC and JSON-RPC, as each role."""

    def test_gate_cannot_be_bypassed(self):
        order = self._make_order()
        for user in (self.salesman, self.sales_head, self.admin):
            self.assertRefused(user, "sale.order", "action_confirm", [order.id])
            self.assertRefused(user, "sale.order", "write", [order.id], {"state": "sale"})
            self.assertRefused(
                user, "sale.order", "write", [order.id], {"approval_state": "approved"}
            )
            self.assertRefused(user, "sale.order", "write", [order.id], {"policy_round": 9})
            for context in BYPASS_CONTEXTS:
                self.assertRefused(
                    user, "sale.order", "action_confirm", [order.id], context=context
                )
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.approval_state, "draft")

    def test_reviews_and_logs_are_engine_only(self):
        order = self._make_order()
        order.with_user(self.salesman).action_submit_for_review()
        review = order.policy_review_ids.filtered(lambda r: r.state == "pending")
        log = order.policy_log_ids[:1]
        for user in (self.salesman, self.sales_head, self.finance, self.admin):
            self.assertRefused(
                user, "sale.policy.review", "write", [review.id], {"state": "approved"}
            )
            self.assertRefused(
                user,
                "sale.policy.review",
                "write",
                [review.id],
                {"decided_by_id": user.id, "decided_on": "2026-01-01 00:00:00"},
            )
            self.assertRefused(
                user,
                "sale.policy.review",
                "create",
                {"order_id": order.id, "rule_id": self.rule_head.id, "name": "Forged"},
            )
            self.assertRefused(user, "sale.policy.review", "unlink", [review.id])
            self.assertRefused(
                user,
                "sale.policy.log",
                "create",
                {"order_id": order.id, "event": "approve", "user_id": user.id},
            )
            self.assertRefused(user, "sale.policy.log", "write", [log.id], {"comment": "x"})
            self.assertRefused(user, "sale.policy.log", "unlink", [log.id])
            self.assertRefused(
                user,
                "sale.policy.check",
                "write",
                [order.policy_check_ids[0].id],
                {"result": "pass"},
            )
        self.assertEqual(review.state, "pending")
        self.assertTrue(log.exists())

    def test_deciding_rules_hold_over_rpc(self):
        order = self._make_order()
        order.with_user(self.salesman).action_submit_for_review()
        head = order.policy_review_ids.filtered(lambda r: r.rule_id == self.rule_head)
        finance = order.policy_review_ids.filtered(lambda r: r.rule_id == self.rule_finance)
        # Skipping a tier: the finance step waits for the sales head.
        self.assertRefused(self.finance, "sale.policy.review", "action_approve", [finance.id])
        # Someone who is no reviewer, and who has no delegation.
        self.assertRefused(self.salesman_other, "sale.policy.review", "action_approve", [head.id])
        self.assertRefused(self.gm, "sale.policy.review", "action_approve", [head.id])
        ok, _result = self._xmlrpc(
            self.sales_head, "sale.policy.review", "action_approve", [head.id]
        )
        self.assertTrue(ok)
        # Deciding twice.
        self.assertRefused(self.sales_head, "sale.policy.review", "action_approve", [head.id])
        self.assertRefused(self.sales_head, "sale.policy.review", "action_reject", [head.id], "no")
        # The salesperson is a listed finance reviewer, but never of their own order.
        self.assertNotIn(self.salesman, finance.reviewer_user_ids)
        self.assertRefused(self.salesman, "sale.policy.review", "action_approve", [finance.id])
        self.assertRefused(self.salesman, "sale.order", "action_policy_approve", [order.id])
        self.assertEqual(finance.state, "pending")
        self.assertEqual(order.approval_state, "pending")

    def test_no_peeking_at_other_salespeople_orders(self):
        order = self._make_order()
        order.with_user(self.salesman).action_submit_for_review()
        domain = [("order_id", "=", order.id)]
        for model in ("sale.policy.review", "sale.policy.log", "sale.policy.check"):
            for ok, result in self._both(
                self.salesman_other, model, "search_read", domain, fields=["id"]
            ):
                self.assertTrue(ok)
                self.assertEqual(result, [], f"{model} leaked another salesperson's order")
        self.assertRefused(self.salesman_other, "sale.order", "read", [order.id], ["name"])
        # The reviewer reads the order they review, but cannot edit it.
        ok, result = self._xmlrpc(self.sales_head, "sale.order", "read", [order.id], ["name"])
        self.assertTrue(ok)
        self.assertRefused(self.finance, "sale.order", "write", [order.id], {"note": "x"})

    def test_portal_acceptance_goes_to_review(self):
        order = self._make_order(require_signature=True, require_payment=False)
        order._portal_ensure_token()
        response = self.url_open(
            f"/my/orders/{order.id}/accept?access_token={order.access_token}",
            data=json.dumps(
                {
                    "params": {
                        "name": "Client",
                        "signature": "R0lGODlhAQABAIAAAP///wAAACwAAAAAAQABAAACAkQBADs=",
                    }
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        order.invalidate_recordset()
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.approval_state, "pending")
        self.assertIn("portal", order.policy_log_ids.mapped("event"))

    def test_portal_customer_sees_status_not_internal_comments(self):
        portal = self.env["res.users"].create(
            {
                "name": "Portal Buyer",
                "login": "sop_portal",
                "password": "sop_portal",
                "email": "portal.buyer@example.com",
                "partner_id": self.customer.id,
                "groups_id": [Command.set(self.env.ref("base.group_portal").ids)],
            }
        )
        order = self._make_order()
        order.with_user(self.salesman).action_submit_for_review()
        review = order.policy_review_ids.filtered(lambda r: r.state == "pending")
        review.with_user(self.sales_head).action_approve("内部意见: margin is thin")
        order.message_subscribe(partner_ids=self.customer.ids)
        self.authenticate("sop_portal", "sop_portal")
        page = self.url_open(f"/my/orders/{order.id}").text
        self.assertTrue("sale_policy_approval_status" in page, "approval status not shown")
        self.assertTrue("being reviewed internally" in page)
        self.assertFalse("margin is thin" in page, "an internal opinion leaked to the portal")
        for model in ("sale.policy.review", "sale.policy.log", "sale.policy.check"):
            self.assertRefused(portal, model, "search_read", [], fields=["id"])
