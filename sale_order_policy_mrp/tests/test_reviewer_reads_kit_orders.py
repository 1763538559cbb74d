from odoo import Command
from odoo.addons.sale_order_policy.tests.common import SalePolicyCase
from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestReviewerReadsKitOrders(SalePolicyCase):
    """The order lines' stock figures look up bills of materials as the current user
    (sale_mrp's `_compute_qty_to_deliver`, `get_components`): the reviewer groups read
    them, as every salesperson does, and nothing more."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reviewers = cls.finance | cls.warehouse | cls.gm | cls.purchaser
        cls._make_rule("Parallel Review", 10, reviewer_user_ids=[Command.set(cls.reviewers.ids)])
        cls.kit = cls.env["product.product"].create(
            {"name": "Valve Kit", "type": "consu", "is_storable": True, "list_price": 300.0}
        )
        cls.kit_bom = cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": cls.kit.product_tmpl_id.id,
                "type": "phantom",
                "bom_line_ids": [Command.create({"product_id": cls.product.id})],
            }
        )
        cls.made = cls.env["product.product"].create(
            {"name": "Pump Assembly", "type": "consu", "is_storable": True, "list_price": 500.0}
        )
        cls.made_bom = cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": cls.made.product_tmpl_id.id,
                "type": "normal",
                "bom_line_ids": [
                    Command.create({"product_id": cls.product.id, "product_qty": 2}),
                    Command.create({"product_id": cls.product_no_stock.id, "product_qty": 1}),
                ],
            }
        )
        cls.order = cls._make_order(lines=[(cls.kit, 1, 300.0), (cls.made, 2, 500.0)])
        cls.order.with_user(cls.salesman).action_submit_for_review()

    def _read_form(self, user):
        """`web_read` of the order as `user` with the specification of its form view."""
        self.env.invalidate_all()
        spec = Form(self.order.with_user(user))._view["fields_spec"]
        self.env.invalidate_all()
        [values] = self.order.with_user(user).web_read(spec)
        return values

    def test_finance_reviewer_reads_the_order_form_of_a_kit(self):
        self.assertEqual(self.order.approval_state, "pending")
        self.assertFalse(self.finance.has_group("sales_team.group_sale_salesman"))
        self.assertFalse(self.finance.has_group("mrp.group_mrp_user"))
        values = self._read_form(self.finance)
        lines = {line["product_id"]: line for line in values["order_line"]}
        self.assertEqual(set(lines), {self.kit.id, self.made.id})
        # The stock figures, computed from the BoMs as the finance reviewer: no forecast
        # widget for the kit (Odoo's forecast does not handle kits); one for the made pump.
        self.assertIs(lines[self.kit.id]["display_qty_widget"], False)
        self.assertIs(lines[self.made.id]["display_qty_widget"], True)
        self.assertEqual(lines[self.made.id]["qty_to_deliver"], 2.0)
        # The BoMs themselves: read, never changed.
        boms = self.env["mrp.bom"].with_user(self.finance)
        found = boms.search([("product_tmpl_id", "in", (self.kit | self.made).product_tmpl_id.ids)])
        self.assertEqual(found, self.kit_bom | self.made_bom)
        self.assertEqual(
            found.bom_line_ids.product_id, self.product | self.product_no_stock, "BoM lines too"
        )
        with self.assertRaises(AccessError):
            found.write({"code": "x"})
        with self.assertRaises(AccessError):
            found.bom_line_ids.write({"product_qty": 5})
        with self.assertRaises(AccessError):
            boms.create({"product_tmpl_id": self.product.product_tmpl_id.id})
        with self.assertRaises(AccessError):
            found.unlink()
        # Manufacturing orders stay out of reach.
        with self.assertRaises(AccessError):
            self.env["mrp.production"].with_user(self.finance).search([])

    def test_every_reviewer_group_reads_the_order(self):
        for user in self.reviewers:
            with self.subTest(user=user.login):
                values = self._read_form(user)
                self.assertEqual(
                    [line["product_id"] for line in values["order_line"]],
                    [self.kit.id, self.made.id],
                )
                with self.assertRaises(AccessError):
                    self.env["mrp.bom"].with_user(user).search([]).write({"code": "x"})

    def test_other_employees_do_not_read_boms(self):
        """The rights come with the reviewer groups only, not with every employee."""
        employee = new_test_user(self.env, "sop_employee_mrp", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.env["mrp.bom"].with_user(employee).search([])
