from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import SalePolicyCase


@tagged("post_install", "-at_install")
class TestPolicyChecks(SalePolicyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule_finance = cls._make_rule(
            "Finance",
            20,
            reviewer_user_ids=[Command.set(cls.finance.ids)],
            check_type_ids=[
                Command.set(
                    [
                        cls.env.ref("sale_order_policy.check_type_credit").id,
                        cls.env.ref("sale_order_policy.check_type_price").id,
                        cls.env.ref("sale_order_policy.check_type_payment_term").id,
                    ]
                )
            ],
        )
        cls.rule_warehouse = cls._make_rule(
            "Warehouse",
            20,
            reviewer_user_ids=[Command.set(cls.warehouse.ids)],
            check_type_ids=[Command.set(cls.env.ref("sale_order_policy.check_type_stock").ids)],
        )
        cls.receivable_journal = cls.env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", cls.company.id)], limit=1
        )

    def _check(self, order, code):
        order.action_run_policy_checks()
        return order.policy_check_ids.filtered(lambda c: c.code == code)

    # Credit -------------------------------------------------------------

    def test_credit_exactly_at_limit_passes_one_cent_over_blocks(self):
        order = self._make_order()  # 2 x 100 = 200, no taxes
        self.assertEqual(order.amount_total, 200.0)
        self.customer.credit_limit = 200.0
        self.assertEqual(self._check(order, "credit").result, "pass")
        self.customer.credit_limit = 199.99
        check = self._check(order, "credit")
        self.assertEqual(check.result, "block")
        self.assertIn("199.99", check.message)
        self.assertIn("200.00", check.message)
        self.assertIn("0.01", check.message)

    def test_credit_counts_receivables_and_open_orders_of_all_contacts(self):
        child = self.env["res.partner"].create(
            {"name": "采购部 Purchasing", "parent_id": self.customer.id, "type": "contact"}
        )
        self._post_invoice(self.customer, 500.0)
        # A confirmed, not invoiced order of the same commercial partner.
        self.company.sale_policy_enabled = False
        confirmed = self._make_order(lines=[(self.product, 3, 100.0)])
        confirmed.action_confirm()
        self.company.sale_policy_enabled = True
        order = self._make_order(partner_id=child.id)
        figures = order._policy_credit_figures()
        self.assertEqual(figures["receivable"], 500.0)
        self.assertEqual(figures["to_invoice"], 300.0)
        self.assertEqual(figures["exposure"], 1000.0)
        self.customer.credit_limit = 999.0
        check = self._check(order, "credit")
        self.assertEqual(check.result, "block")
        self.assertEqual(order.policy_credit_exposure, 1000.0)
        self.assertEqual(self.customer.sale_policy_credit_exposure, 800.0)

    def test_credit_overdue_grace_days_boundary(self):
        self.company.sale_policy_overdue_days = 30
        invoice = self._post_invoice(self.customer, 100.0, due_days_ago=30)
        order = self._make_order()
        self.assertEqual(self._check(order, "credit").result, "pass")
        invoice.button_draft()
        invoice.invoice_date_due = fields.Date.today() - timedelta(days=31)
        invoice.invoice_date = fields.Date.today() - timedelta(days=31)
        invoice.action_post()
        check = self._check(order, "credit")
        self.assertEqual(check.result, "warning")
        self.assertIn("overdue", check.message)
        self.company.sale_policy_overdue_block = True
        self.assertEqual(self._check(order, "credit").result, "block")

    def test_credit_without_limit_warns(self):
        self.customer.credit_limit = 0.0
        check = self._check(self._make_order(), "credit")
        self.assertEqual(check.result, "warning")
        self.assertIn("No credit limit", check.message)

    def test_credit_multi_currency_order(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        self.env["res.currency.rate"].search(
            [("currency_id", "=", eur.id), ("company_id", "in", [self.company.id, False])]
        ).unlink()
        self.env["res.currency.rate"].create(
            {
                "currency_id": eur.id,
                "rate": 0.5,
                "name": "2000-01-01",
                "company_id": self.company.id,
            }
        )
        pricelist = self.env["product.pricelist"].create({"name": "EUR", "currency_id": eur.id})
        order = self._make_order(pricelist_id=pricelist.id)
        order.order_line.price_unit = 100.0  # 200 EUR = 400 in company currency
        self.assertEqual(order.currency_id, eur)
        self.customer.credit_limit = 399.99
        self.assertEqual(self._check(order, "credit").result, "block")
        self.customer.credit_limit = 400.0
        self.assertEqual(self._check(order, "credit").result, "pass")

    def test_credit_query_count_independent_of_history(self):
        order = self._make_order()
        order._policy_check_credit()  # warm caches
        self.env.invalidate_all()
        count_before = self.cr.sql_log_count
        order._policy_check_credit()
        few = self.cr.sql_log_count - count_before
        for _i in range(5):
            self._post_invoice(self.customer, 10.0)
        self.company.sale_policy_enabled = False
        for _i in range(3):
            self._make_order().action_confirm()
        self.company.sale_policy_enabled = True
        self.env.invalidate_all()
        order._policy_check_credit()
        self.env.invalidate_all()
        with self.assertQueryCount(few):
            order._policy_check_credit()

    # Stock --------------------------------------------------------------

    def test_stock_shortage_on_one_line_of_several(self):
        order = self._make_order(
            lines=[
                (self.product, 5, 100.0),
                (self.product_no_stock, 7, 40.0),
                (self.service, 1, 80.0),
            ]
        )
        check = self._check(order, "stock")
        self.assertEqual(check.result, "warning")
        self.assertIn("Copper Pipe", check.message)
        self.assertIn("needed 7", check.message)
        self.assertIn("missing 7", check.message)
        self.assertNotIn("Steel Valve", check.message)

    def test_stock_counts_other_confirmed_orders(self):
        self.company.sale_policy_enabled = False
        other = self._make_order(lines=[(self.product, 995, 100.0)])
        other.action_confirm()
        self.company.sale_policy_enabled = True
        order = self._make_order(lines=[(self.product, 10, 100.0)])
        check = self._check(order, "stock")
        self.assertEqual(check.result, "warning")
        self.assertIn("available 5", check.message)

    def test_stock_make_to_order_excluded(self):
        mto = self.env.ref("stock.route_warehouse0_mto")
        mto.active = True
        self.product_no_stock.route_ids = [Command.link(mto.id)]
        order = self._make_order(lines=[(self.product_no_stock, 7, 40.0)])
        self.assertEqual(self._check(order, "stock").result, "pass")

    # Price --------------------------------------------------------------

    def test_price_discount_and_cost(self):
        self.company.sale_policy_max_discount = 10.0
        order = self._make_order(lines=[(self.product, 1, 90.0)])
        self.assertEqual(self._check(order, "price").result, "pass")
        order.order_line.price_unit = 89.99
        check = self._check(order, "price")
        self.assertEqual(check.result, "warning")
        self.assertIn("Steel Valve", check.message)
        order.order_line.price_unit = 49.0
        check = self._check(order, "price")
        self.assertEqual(check.result, "block")
        self.assertIn("below cost", check.message)

    def test_price_margin_threshold(self):
        self.company.write({"sale_policy_max_discount": 50.0, "sale_policy_min_margin": 40.0})
        order = self._make_order(lines=[(self.product, 1, 80.0)])  # margin 37.5 %
        check = self._check(order, "price")
        self.assertEqual(check.result, "warning")
        self.assertIn("margin", check.message)

    # Delivery date and payment terms -------------------------------------

    def test_delivery_date_before_feasible(self):
        self.product.sale_delay = 5
        self.company.security_lead = 2
        order = self._make_order(commitment_date=fields.Datetime.now() + timedelta(days=3))
        check = self._check(order, "delivery_date")
        self.assertEqual(check.result, "warning")
        feasible = fields.Date.today() + timedelta(days=7)
        self.assertIn(feasible.strftime("%m/%d/%Y"), check.message)
        order.commitment_date = fields.Datetime.now() + timedelta(days=8)
        self.assertEqual(self._check(order, "delivery_date").result, "pass")

    def test_payment_terms_other_than_agreed(self):
        immediate = self.env.ref("account.account_payment_term_immediate")
        order = self._make_order(payment_term_id=immediate.id)
        check = self._check(order, "payment_term")
        self.assertEqual(check.result, "warning")
        self.company.sale_policy_payment_term_ids = [Command.link(immediate.id)]
        self.assertEqual(self._check(order, "payment_term").result, "pass")

    # Routing and rounds ----------------------------------------------------

    def test_block_routes_to_covering_rule(self):
        self.customer.credit_limit = 10.0
        order = self._make_order()
        order.with_user(self.salesman).action_submit_for_review()
        self.assertEqual(order.approval_state, "pending")
        self.assertEqual(order.policy_review_ids.rule_id, self.rule_finance)

    def test_uncovered_block_refuses_submission(self):
        self.rule_finance.active = False
        self.customer.credit_limit = 10.0
        order = self._make_order()
        with self.assertRaisesRegex(UserError, "no active approval rule"):
            order.with_user(self.salesman).action_submit_for_review()
        self.assertEqual(order.approval_state, "draft")

    def test_results_kept_per_round(self):
        self.customer.credit_limit = 10.0
        order = self._make_order()
        order.with_user(self.salesman).action_submit_for_review()
        order.policy_review_ids.with_user(self.finance).action_reject("Reduce the amount")
        self.customer.credit_limit = 100000.0
        order.with_user(self.salesman).action_submit_for_review()
        checks = order.with_context(active_test=False).policy_check_ids
        credit = checks.filtered(lambda c: c.code == "credit")
        self.assertEqual(
            sorted((c.review_round, c.result, c.active) for c in credit),
            [(1, "block", False), (2, "pass", True)],
        )
        types = self.env["sale.policy.check.type"].search_count([])
        self.assertEqual(order.policy_check_ids.mapped("review_round"), [2] * types)
