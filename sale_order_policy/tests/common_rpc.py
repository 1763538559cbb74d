import json
import xmlrpc.client

from odoo import Command
from odoo.tests import get_db_name

from .common import SalePolicyHttpCase


class PolicyRpcHttpCase(SalePolicyHttpCase):
    """Real XML-RPC / JSON-RPC calls as a given user, and orders brought to a state by the
    reviewers, for the adversarial tests. No rules: each case defines its chain."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.env.ref("base.user_admin")
        cls.db = get_db_name()

    # -- transport helpers -------------------------------------------------

    def _password(self, user):
        # new_test_user's password: the login, padded with "x" to 8 characters.
        return "admin" if user == self.admin else user.login.ljust(8, "x")

    @staticmethod
    def _on_the_wire(args, kwargs):
        """Command values are IntEnum members: plain ints on the wire, as a client sends."""
        return json.loads(json.dumps([args, kwargs]))

    def _xmlrpc(self, user, model, method, *args, **kwargs):
        """Returns (ok, result_or_fault_message)."""
        args, kwargs = self._on_the_wire(args, kwargs)
        try:
            result = self.xmlrpc_object.execute_kw(
                self.db, user.id, self._password(user), model, method, list(args), kwargs
            )
            return True, result
        except xmlrpc.client.Fault as fault:
            return False, fault.faultString

    def _jsonrpc(self, user, model, method, *args, **kwargs):
        args, kwargs = self._on_the_wire(args, kwargs)
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {
                "service": "object",
                "method": "execute_kw",
                "args": [self.db, user.id, self._password(user), model, method, list(args), kwargs],
            },
        }
        response = self.url_open(
            "/jsonrpc", data=json.dumps(payload), headers={"Content-Type": "application/json"}
        ).json()
        if "error" in response:
            return False, response["error"]["data"]["message"]
        # Odoo leaves "result" out when the method returns None.
        return True, response.get("result")

    def _both(self, user, model, method, *args, **kwargs):
        return [
            call(user, model, method, *args, **kwargs) for call in (self._xmlrpc, self._jsonrpc)
        ]

    def assertRefused(self, user, model, method, *args, **kwargs):
        for ok, message in self._both(user, model, method, *args, **kwargs):
            self.assertFalse(ok, f"{user.login} {model}.{method}{args} was accepted: {message}")
            # A refused login would prove nothing about the call.
            self.assertNotEqual(message, "Access Denied", f"{user.login} could not log in")

    def _ok(self, user, model, method, *args, **kwargs):
        """One JSON-RPC call that must succeed (a None result is a success there)."""
        ok, result = self._jsonrpc(user, model, method, *args, **kwargs)
        self.assertTrue(ok, f"{user.login} {model}.{method} failed: {result}")
        return result

    # -- orders ------------------------------------------------------------

    def _submitted(self, **vals):
        order = self._make_order(**vals)
        order.with_user(self.salesman).action_submit_for_review()
        self.assertEqual(order.approval_state, "pending")
        return order

    def _pending_review(self, order):
        return order.sudo().policy_review_ids.filtered(lambda r: r.state == "pending")

    def _approved_order(self, **vals):
        """Approved by the sales head, then finance (the chain of every RPC case)."""
        order = self._submitted(**vals)
        for reviewer in (self.sales_head, self.finance):
            self._pending_review(order).with_user(reviewer).action_approve("ok")
        self.assertEqual(order.approval_state, "approved")
        return order

    def _confirmed_order(self, **vals):
        order = self._approved_order(**vals)
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")
        return order


class PolicyRpcCase(PolicyRpcHttpCase):
    """The RPC helpers with two rules: the sales head (team leader) at 10, then finance
    (finance or the salesperson) at 20."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule_head = cls._make_rule("Sales Head", 10, reviewer_type="team_leader")
        cls.rule_finance = cls._make_rule(
            "Finance", 20, reviewer_user_ids=[Command.set((cls.finance | cls.salesman).ids)]
        )
