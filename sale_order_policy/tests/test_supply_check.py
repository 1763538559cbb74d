import importlib.util
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import format_date
from odoo.tools.misc import file_path

from .common import SalePolicyCase


@tagged("post_install", "-at_install")
class TestSupplyCheck(SalePolicyCase):
    """Made-to-order goods must be supplied by the delivery date; when they may not,
    purchasing (采购审核) reviews the order."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.supply_type = cls.env.ref("sale_order_policy.check_type_supply")
        cls.rule_purchase = cls._make_rule(
            "Purchasing",
            20,
            department="purchase",
            reviewer_type="group",
            reviewer_group_id=cls.env.ref("sale_order_policy.group_purchase_reviewer").id,
            check_type_ids=[Command.set(cls.supply_type.ids)],
        )
        # Make to order, replenished from a supplier hub 15 days away (works without
        # purchase_stock: the lead time is the replenishment rule's delay).
        mto = cls.env.ref("stock.route_warehouse0_mto")
        mto.active = True
        hub = cls.env["stock.location"].create(
            {"name": "Supplier Hub", "usage": "internal", "company_id": cls.company.id}
        )
        cls.hub_route = cls.env["stock.route"].create(
            {
                "name": "From the supplier hub",
                "product_selectable": True,
                "rule_ids": [
                    Command.create(
                        {
                            "name": "Hub → Stock",
                            "action": "pull",
                            "procure_method": "make_to_stock",
                            "location_src_id": hub.id,
                            "location_dest_id": cls.warehouse_stock.lot_stock_id.id,
                            "picking_type_id": cls.warehouse_stock.in_type_id.id,
                            "delay": 15,
                            "company_id": cls.company.id,
                        }
                    )
                ],
            }
        )
        cls.made_to_order = cls.env["product.product"].create(
            {
                "name": "Custom Pump",
                "type": "consu",
                "is_storable": True,
                "list_price": 500.0,
                "standard_price": 300.0,
                "taxes_id": [Command.clear()],
                "route_ids": [Command.set([mto.id, cls.hub_route.id])],
            }
        )

    def _order(self, product, days, **vals):
        return self._make_order(
            lines=[(product, 2, 500.0)],
            commitment_date=fields.Datetime.now() + timedelta(days=days),
            **vals,
        )

    def _supply(self, order):
        order.action_run_policy_checks()
        return order.policy_check_ids.filtered(lambda c: c.code == "supply")

    def test_late_supply_warns_naming_the_line_and_dates(self):
        order = self._order(self.made_to_order, 10)
        check = self._supply(order)
        self.assertEqual(check.result, "warning")
        self.assertIn("Custom Pump", check.message)
        self.assertIn("+ 15 day(s)", check.message)
        today = fields.Date.context_today(order)
        self.assertIn(format_date(self.env, today + timedelta(days=15)), check.message)
        self.assertIn(format_date(self.env, today + timedelta(days=10)), check.message)

    def test_supply_in_time_passes(self):
        self.assertEqual(self._supply(self._order(self.made_to_order, 20)).result, "pass")

    def test_security_lead_time_counts(self):
        self.company.security_lead = 6.0
        self.assertEqual(self._supply(self._order(self.made_to_order, 20)).result, "warning")

    def test_stock_lines_are_not_supply_lines(self):
        self.assertEqual(self._supply(self._order(self.product, 1)).result, "pass")
        self.assertFalse(self._make_order()._policy_supply_dates())

    def test_late_supply_routes_the_order_to_purchasing(self):
        order = self._order(self.made_to_order, 10)
        order.with_user(self.salesman).action_submit_for_review()
        self.assertEqual(order.approval_state, "pending")
        review = order.sudo().policy_review_ids
        self.assertEqual(review.department, "purchase")
        self.assertIn(self.purchaser, review.reviewer_user_ids)
        # The purchaser opens the order read-only, and only the orders it reviews.
        as_purchaser = order.with_user(self.purchaser)
        self.assertEqual(as_purchaser.read(["name"])[0]["name"], order.name)
        self.assertEqual(as_purchaser.order_line.product_id, self.made_to_order)
        with self.assertRaises(AccessError):
            as_purchaser.write({"note": "edited"})
        with self.assertRaises(AccessError):
            self._make_order().with_user(self.purchaser).read(["name"])
        review.with_user(self.purchaser).action_approve("Vendor confirmed an earlier slot.")
        self.assertEqual(order.approval_state, "approved")

    def test_supply_in_time_does_not_involve_purchasing(self):
        order = self._order(self.made_to_order, 20)
        order.with_user(self.salesman).action_submit_for_review()
        self.assertFalse(order.sudo().policy_review_ids)
        self.assertEqual(order.approval_state, "approved")

    def _bought(self, name, vendor_delay):
        """Make to order, bought (purchase_stock's buy route) from a vendor whose lead
        time is `vendor_delay` days."""
        vendor = self.env["res.partner"].create({"name": f"Vendor of {name}"})
        return self.env["product.product"].create(
            {
                "name": name,
                "is_storable": True,
                "list_price": 500.0,
                "taxes_id": [Command.clear()],
                "route_ids": [
                    Command.set(
                        [
                            self.env.ref("stock.route_warehouse0_mto").id,
                            self.env.ref("purchase_stock.route_warehouse0_buy").id,
                        ]
                    )
                ],
                "seller_ids": [
                    Command.create({"partner_id": vendor.id, "delay": vendor_delay, "price": 1.0})
                ],
            }
        )

    def test_vendor_lead_time_makes_supply_late(self):
        # Supplied on today + vendor lead time 20 + purchase security lead time 2 + days
        # to purchase 1 + sales security lead time 0 = today + 23 days.
        self.company.write({"po_lead": 2.0, "days_to_purchase": 1.0})
        bought = self._bought("Bought Valve", 20)
        order = self._order(bought, 22)
        today = fields.Date.context_today(order)
        [(line, supply_date, _details)] = order._policy_supply_dates()
        self.assertEqual((line, supply_date), (order.order_line, today + timedelta(days=23)))
        check = self._supply(order)
        self.assertEqual(check.result, "warning")
        self.assertIn(
            f"- Bought Valve: supplied on {format_date(self.env, today + timedelta(days=23))}",
            check.message,
        )
        self.assertIn("Vendor Lead Time + 20 day(s)", check.message)
        self.assertIn("Purchase Security Lead Time + 2 day(s)", check.message)
        self.assertIn("Days to Purchase + 1 day(s)", check.message)
        self.assertIn(
            f"miss the delivery date {format_date(self.env, today + timedelta(days=22))}",
            check.message,
        )
        # Delivered on the day it is supplied: in time.
        self.assertEqual(self._supply(self._order(bought, 23)).result, "pass")

    def test_short_vendor_lead_time_passes(self):
        bought = self._bought("Quick Valve", 5)
        order = self._order(bought, 10)
        today = fields.Date.context_today(order)
        self.assertEqual(order._policy_supply_dates()[0][1], today + timedelta(days=5))
        check = self._supply(order)
        self.assertEqual(check.result, "pass", check.message)
        # The same vendor delay misses a delivery due in 4 days.
        self.assertEqual(self._supply(self._order(bought, 4)).result, "warning")

    def test_shipped_purchasing_rule_and_departments(self):
        rule = self.env.ref("sale_order_policy.rule_purchase")
        self.assertEqual(rule.department, "purchase")
        self.assertEqual(rule.check_type_ids, self.supply_type)
        self.assertEqual(
            rule.reviewer_group_id, self.env.ref("sale_order_policy.group_purchase_reviewer")
        )
        departments = dict(self.env["sale.policy.review"]._fields["department"].selection)
        self.assertIn("logistics", departments)
        admin = self.env.ref("sale_order_policy.group_policy_admin")
        for xmlid in ("group_logistics_reviewer", "group_purchase_reviewer"):
            self.assertIn(self.env.ref(f"sale_order_policy.{xmlid}"), admin.trans_implied_ids)
        # My Reviews: one click per department.
        arch = self.env["sale.policy.review"].get_views([(False, "search")])["views"]["search"][
            "arch"
        ]
        for department in ("sales", "finance", "warehouse", "logistics", "purchase", "management"):
            self.assertIn(f'name="department_{department}"', arch)

    def test_logistics_reviewer_reads_the_orders_it_reviews(self):
        rule = self._make_rule(
            "Logistics",
            20,
            department="logistics",
            reviewer_user_ids=[Command.set(self.logistics.ids)],
        )
        order = self._make_order()
        order.with_user(self.salesman).action_submit_for_review()
        review = order.sudo().policy_review_ids
        self.assertEqual((review.rule_id, review.department), (rule, "logistics"))
        self.assertEqual(order.with_user(self.logistics).read(["name"])[0]["name"], order.name)
        departments = (
            self.env["sale.policy.review"]
            .with_user(self.logistics)
            .search([("department", "=", "logistics"), ("order_id", "=", order.id)])
        )
        self.assertEqual(departments, review)

    def test_upgrade_lets_the_new_reviewers_read_orders(self):
        """Migration 18.0.1.3.0 links the Order Reviewer group to the noupdate reader rules."""
        path = file_path("sale_order_policy/migrations/18.0.1.3.0/post-migration.py")
        spec = importlib.util.spec_from_file_location("sop_migration_18_0_1_3_0", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        group = self.env.ref("sale_order_policy.group_order_reviewer")
        rules = self.env["ir.rule"].browse(
            self.env.ref(f"sale_order_policy.{xmlid}").id for xmlid in migration.READER_RULES
        )
        rules.groups = [Command.unlink(group.id)]
        migration.migrate(self.env.cr, "18.0.1.2.0")
        self.env.invalidate_all()
        for rule in rules:
            self.assertIn(group, rule.groups)
