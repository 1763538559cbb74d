import re

from odoo import Command
from odoo.tests import tagged

from .test_security_rpc import PolicyRpcCase


@tagged("post_install", "-at_install")
class TestApprovedContentRpc(PolicyRpcCase):
    """The approved-content invariant over real XML-RPC and JSON-RPC."""

    def _approved(self):
        order = self._make_order()
        order.with_user(self.salesman).action_submit_for_review()
        for review in order.policy_review_ids.sorted("sequence"):
            decider = self.sales_head if review.rule_id == self.rule_head else self.finance
            review.with_user(decider).action_approve()
        self.assertEqual(order.approval_state, "approved")
        return order

    def _ok(self, user, model, method, *args, **kwargs):
        ok, result = self._xmlrpc(user, model, method, *args, **kwargs)
        self.assertTrue(ok, result)
        return result

    def test_forged_engine_values_refused(self):
        vals = {"partner_id": self.customer.id}
        for forged in ({"approval_state": "approved"}, {"state": "sale"}, {"policy_round": 2}):
            self.assertRefused(self.salesman, "sale.order", "create", {**vals, **forged})
        order_id = self._ok(
            self.salesman,
            "sale.order",
            "create",
            vals,
            context={"default_approval_state": "approved", "default_state": "sale"},
        )
        order = self.env["sale.order"].browse(order_id)
        self.assertEqual((order.state, order.approval_state), ("draft", "draft"))
        self.assertRefused(
            self.salesman, "sale.order", "copy", [order_id], {"approval_state": "approved"}
        )

    def test_line_added_by_context_default_resets(self):
        order = self._approved()
        self._ok(
            self.salesman,
            "sale.order.line",
            "create",
            {"product_id": self.product.id, "product_uom_qty": 99},
            context={"default_order_id": order.id},
        )
        order.invalidate_recordset()
        self.assertEqual(order.approval_state, "draft")
        self.assertRefused(self.salesman, "sale.order", "action_confirm", [order.id])
        order.invalidate_recordset()
        self.assertEqual(order.state, "draft")

    def test_state_with_terms_in_one_write_refused(self):
        order = self._approved()
        term = self.env.ref("account.account_payment_term_immediate")
        self.assertRefused(
            self.salesman,
            "sale.order",
            "write",
            [order.id],
            {"state": "sale", "payment_term_id": term.id},
        )
        order.invalidate_recordset()
        self.assertEqual((order.state, order.payment_term_id), ("draft", self.payment_term))

    def test_confirmed_lines_refused_over_rpc(self):
        order = self._approved()
        self._ok(self.salesman, "sale.order", "action_confirm", [order.id])
        line = order.order_line
        self.assertRefused(
            self.salesman,
            "sale.order",
            "write",
            [order.id],
            {"order_line": [(1, line.id, {"price_unit": 1.0})]},
        )
        self.assertRefused(self.salesman, "sale.order.line", "write", [line.id], {"discount": 50.0})
        order.invalidate_recordset()
        self.assertEqual((line.price_unit, line.discount), (100.0, 0.0))

    def test_portal_decline_of_an_approved_quotation(self):
        portal = self.env["res.users"].create(
            {
                "name": "Portal Decliner",
                "login": "sop_portal_decline",
                "password": "sop_portal_decline",
                "partner_id": self.customer.id,
                "groups_id": [Command.set(self.env.ref("base.group_portal").ids)],
            }
        )
        order = self._approved()
        order.require_signature = True
        order._portal_ensure_token()
        self.assertRefused(portal, "sale.order", "read", [order.id], ["policy_check_result"])
        self.authenticate(portal.login, portal.login)
        page = self.url_open(f"/my/orders/{order.id}?access_token={order.access_token}").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page) or re.search(
            r'csrf_token: "([^"]+)"', page
        )
        self.assertTrue(csrf, "the portal page carries a CSRF token")
        response = self.url_open(
            f"/my/orders/{order.id}/decline",
            data={
                "access_token": order.access_token,
                "decline_message": "Too expensive",
                "csrf_token": csrf.group(1),
            },
        )
        self.assertEqual(response.status_code, 200)
        order.invalidate_recordset()
        self.assertEqual(order.state, "cancel")
        cancel = order.policy_log_ids.filtered(lambda log: log.event == "cancel")
        self.assertIn("portal", cancel.comment)
