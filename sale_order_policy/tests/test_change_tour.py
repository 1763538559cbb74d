import json
import xmlrpc.client

from odoo.tests import tagged

from .common import SalePolicyHttpCase


@tagged("post_install", "-at_install")
class TestChangeTour(SalePolicyHttpCase):
    """Browser and RPC paths of change control."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._make_rule("Sales Head", 10, reviewer_type="team_leader")
        cls.rule_change = cls._make_rule(
            "Change: Sales Head", 10, applies_to="change", reviewer_type="team_leader"
        )
        cls.admin = cls.env.ref("base.user_admin")
        cls.admin.password = "admin"
        cls.order = cls._make_order()
        cls.order.with_user(cls.salesman).action_submit_for_review()
        cls.order.policy_review_ids.with_user(cls.sales_head).action_approve()
        cls.order.with_user(cls.salesman).action_confirm()
        cls.line = cls.order.order_line

    def test_tour_request_approve_revision_visible(self):
        url = f"/odoo/action-sale.action_orders/{self.order.id}"
        self.start_tour(url, "sale_policy_change_request", login="sop_salesman")
        change = self.order.policy_change_ids
        self.assertEqual(change.state, "pending")
        self.assertEqual(change.requested_by_id, self.salesman)
        self.assertEqual(change.line_ids.new_qty, 5)
        self.assertEqual(self.line.product_uom_qty, 2)

        self.start_tour(url, "sale_policy_change_approve", login="sop_head")
        self.assertEqual(change.state, "applied")
        self.assertEqual(self.line.product_uom_qty, 5)
        self.assertEqual(self.order.picking_ids.move_ids.product_uom_qty, 5)
        self.assertEqual(self.order.policy_revision, 1)

    def _call_kw_error(self, model, method, *args):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"model": model, "method": method, "args": list(args), "kwargs": {}},
        }
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        )
        return response.json()["error"]["data"]

    def test_direct_write_refused_over_rpc(self):
        db = self.env.cr.dbname
        # Admin over XML-RPC: quantity, price and the delivery date are refused.
        for model, record, vals in (
            ("sale.order.line", self.line, {"product_uom_qty": 9}),
            ("sale.order.line", self.line, {"price_unit": 1.0}),
            ("sale.order", self.order, {"payment_term_id": False}),
            ("sale.order", self.order, {"state": "cancel"}),
        ):
            with self.assertRaises(xmlrpc.client.Fault) as caught:
                self.xmlrpc_object.execute(
                    db, self.admin.id, "admin", model, "write", record.ids, vals
                )
            self.assertIn("Request", caught.exception.faultString)
        # The salesperson over JSON-RPC (/web/dataset/call_kw), as the web client does.
        self.authenticate("sop_salesman", "sop_salesman")
        error = self._call_kw_error(
            "sale.order.line", "write", self.line.ids, {"product_uom_qty": 9}
        )
        self.assertEqual(error["name"], "odoo.exceptions.UserError")
        self.assertIn("Request Change", error["message"])
        # Free fields still go through.
        self.make_jsonrpc_request(
            "/web/dataset/call_kw/sale.order/write",
            {
                "model": "sale.order",
                "method": "write",
                "args": [self.order.ids, {"client_order_ref": "PO-RPC"}],
                "kwargs": {},
            },
        )
        self.assertEqual(self.order.client_order_ref, "PO-RPC")
        self.assertEqual(self.line.product_uom_qty, 2)
        self.assertEqual(self.line.price_unit, 100.0)
        self.assertEqual(self.order.state, "sale")
