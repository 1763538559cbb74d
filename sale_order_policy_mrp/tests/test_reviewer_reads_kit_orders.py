from odoo import Command
from odoo.addons.sale_order_policy.tests.common import SalePolicyCase
from odoo.exceptions import AccessError
from odoo.tests import Form, tagged


@tagged("post_install", "-at_install")
class TestReviewerReadsKitOrders(SalePolicyCase):
    def test_reviewers_read_the_order_of_a_kit(self):
        reviewers = self.finance | self.warehouse | self.gm
        self._make_rule("Parallel Review", 10, reviewer_user_ids=[Command.set(reviewers.ids)])
        kit = self.env["product.product"].create(
            {"name": "Valve Kit", "type": "consu", "is_storable": True, "list_price": 300.0}
        )
        self.env["mrp.bom"].create(
            {
                "product_tmpl_id": kit.product_tmpl_id.id,
                "type": "phantom",
                "bom_line_ids": [Command.create({"product_id": self.product.id})],
            }
        )
        order = self._make_order(lines=[(kit, 1, 300.0)])
        order.with_user(self.salesman).action_submit_for_review()
        for user in reviewers:
            with self.subTest(user=user.login):
                self.env.invalidate_all()
                spec = Form(order.with_user(user))._view["fields_spec"]
                self.env.invalidate_all()
                [values] = order.with_user(user).web_read(spec)
                self.assertEqual(values["order_line"][0]["product_id"], kit.id)
                # Reading, never editing.
                with self.assertRaises(AccessError):
                    self.env["mrp.bom"].with_user(user).search([]).write({"code": "x"})
