from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import SalePolicyCase


@tagged("post_install", "-at_install")
class TestMultiCompany(SalePolicyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create(
            {
                "name": "Beijing Branch 北京分公司",
                "sale_policy_enabled": True,
                "account_use_credit_limit": True,
            }
        )
        cls.env["account.chart.template"].try_loading(
            "generic_coa", cls.company_b, install_demo=False
        )
        # The company starts with its chain preset; these tests define their own rules.
        cls.env["sale.policy.rule"].search([("company_id", "=", cls.company_b.id)]).active = False
        cls.reviewer_b = cls.env["res.users"].create(
            {
                "name": "Reviewer B",
                "login": "sop_reviewer_b",
                "email": "reviewer.b@example.com",
                "company_id": cls.company_b.id,
                "company_ids": [Command.set(cls.company_b.ids)],
                "groups_id": [
                    Command.set(
                        [
                            cls.env.ref("base.group_user").id,
                            cls.env.ref("sale_order_policy.group_finance_reviewer").id,
                        ]
                    )
                ],
            }
        )
        cls.salesman.write({"company_ids": [Command.link(cls.company_b.id)]})
        cls.finance.write({"company_ids": [Command.set(cls.company.ids)]})
        cls.rule_a = cls._make_rule(
            "Finance A", 10, reviewer_user_ids=[Command.set(cls.finance.ids)]
        )
        cls.rule_b = (
            cls.env["sale.policy.rule"]
            .with_company(cls.company_b)
            .create(
                {
                    "name": "Finance B",
                    "sequence": 10,
                    "company_id": cls.company_b.id,
                    "reviewer_type": "users",
                    "reviewer_user_ids": [Command.set(cls.reviewer_b.ids)],
                }
            )
        )

    def _order_b(self):
        env = self.env(context={"allowed_company_ids": [self.company_b.id, self.company.id]})
        warehouse = env["stock.warehouse"].search([("company_id", "=", self.company_b.id)], limit=1)
        return self._make_order(
            company_id=self.company_b.id, warehouse_id=warehouse.id, team_id=False
        ).with_env(env)

    def test_rules_apply_to_their_company_only(self):
        order_a = self._make_order()
        order_a.with_user(self.salesman).action_submit_for_review()
        self.assertEqual(order_a.policy_review_ids.rule_id, self.rule_a)
        order_b = self._order_b()
        order_b.with_user(self.salesman).with_company(self.company_b).action_submit_for_review()
        self.assertEqual(order_b.policy_review_ids.rule_id, self.rule_b)
        self.assertEqual(order_b.policy_review_ids.company_id, self.company_b)

    def test_reviewer_of_a_cannot_see_or_decide_b(self):
        order_b = self._order_b()
        order_b.with_user(self.salesman).with_company(self.company_b).action_submit_for_review()
        review_b = order_b.policy_review_ids
        visible = (
            self.env["sale.policy.review"]
            .with_user(self.finance)
            .search([("order_id", "=", order_b.id)])
        )
        self.assertFalse(visible)
        with self.assertRaises(UserError):  # AccessError is a UserError
            review_b.with_user(self.finance).action_approve()
        review_b.with_user(self.reviewer_b).with_context(
            allowed_company_ids=self.company_b.ids
        ).action_approve()
        self.assertEqual(order_b.approval_state, "approved")

    def test_credit_exposure_is_per_company(self):
        self.company.sale_policy_enabled = False
        self.company_b.sale_policy_enabled = False
        order_b = self._order_b()
        order_b.with_company(self.company_b).action_confirm()
        self.company.sale_policy_enabled = True
        order_a = self._make_order()
        self.assertEqual(order_a._policy_credit_figures()["to_invoice"], 0.0)
        self.assertEqual(order_b._policy_credit_figures()["to_invoice"], 0.0)
        probe = self._make_order(
            company_id=self.company_b.id, team_id=False, warehouse_id=order_b.warehouse_id.id
        )
        self.assertEqual(probe._policy_credit_figures()["to_invoice"], order_b.amount_total)


@tagged("post_install", "-at_install")
class TestBadInput(SalePolicyCase):
    def test_rule_validation_on_save(self):
        Rule = self.env["sale.policy.rule"]
        base = {"name": "Bad", "company_id": self.company.id}
        cases = [
            ({"domain_condition": "[('no_such_field', '=', 1)]"}, "not a valid domain"),
            ({"domain_condition": "[('amount_total', '>'"}, "not a valid domain"),
            ({"domain_condition": "__import__('os').system('id')"}, "not a valid domain"),
            ({"domain_condition": "{'a': 1}"}, "not a valid domain"),
            ({"reviewer_type": "users"}, "at least one reviewer"),
            ({"reviewer_type": "group"}, "reviewer group"),
            ({"sla_hours": 0}, "more than 0 hours"),
            ({"sla_hours": -5}, "more than 0 hours"),
            ({"amount_min": -1}, "cannot be negative"),
        ]
        count = Rule.search_count([])
        for vals, message in cases:
            with (
                self.subTest(vals=vals),
                self.assertRaisesRegex(ValidationError, message),
                self.env.cr.savepoint(),
            ):
                Rule.create({**base, **vals})
        self.assertEqual(Rule.search_count([]), count)

    def test_calendar_without_attendance_refused(self):
        calendar = self.env["resource.calendar"].create(
            {"name": "Empty", "attendance_ids": [Command.clear()]}
        )
        with self.assertRaisesRegex(ValidationError, "no working hours"):
            self.company.sale_policy_calendar_id = calendar
        with self.assertRaisesRegex(ValidationError, "no working hours"):
            self._make_rule("R", calendar_id=calendar.id, reviewer_type="team_leader")

    def test_negative_quantities_and_prices_block_submission(self):
        self._make_rule("Head", reviewer_type="team_leader")
        order = self._make_order(lines=[(self.product, -2, 100.0), (self.service, 1, -80.0)])
        with self.assertRaisesRegex(UserError, "quantity above zero") as caught:
            order.with_user(self.salesman).action_submit_for_review()
        self.assertIn("price above zero", caught.exception.args[0])
        self.assertEqual(order.approval_state, "draft")
        self.assertFalse(order.policy_review_ids)
        self.assertFalse(order.policy_log_ids)

    def test_html_in_reasons_is_escaped_and_chinese_text_kept(self):
        self._make_rule("Head", reviewer_type="team_leader")
        order = self._make_order()
        order.with_user(self.salesman).action_submit_for_review()
        reason = "<script>alert('x')</script><b>价格过低</b>" + "很长的审批意见" * 300
        order.policy_review_ids.with_user(self.sales_head).action_reject(reason)
        review = order.policy_review_ids
        self.assertEqual(review.comment, reason.strip())
        message = order.message_ids.filtered(lambda m: "价格过低" in (m.body or ""))[:1]
        self.assertTrue(message)
        self.assertNotIn("<script>", message.body)
        self.assertIn("&lt;script&gt;", message.body)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("sale_order_policy.report_approval_sheet", order.ids)[0]
            .decode()
        )
        self.assertNotIn("<script>alert", html)
        self.assertIn("价格过低", html)
