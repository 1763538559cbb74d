from datetime import timedelta

from odoo import Command, fields
from odoo.tests import Form, tagged

from ..models.res_company_chain_preset import preset_steps
from .common import SalePolicyCase


@tagged("post_install", "-at_install")
class TestChainPreset(SalePolicyCase):
    """Each preset, given to a new company, makes exactly its chain, and an order goes
    through it end to end."""

    def _new_company(self, preset):
        company = self.env["res.company"].create(
            {
                "name": f"Preset {preset} 分公司",
                "sale_policy_enabled": True,
                "account_use_credit_limit": True,
                "sale_policy_chain_preset": preset,
            }
        )
        people = self.salesman | self.sales_head | self.finance | self.warehouse | self.gm
        people |= self.logistics | self.purchaser
        people.write({"company_ids": [Command.link(company.id)]})
        # The customer's credit limit and terms are per company.
        self.customer.with_company(company).write(
            {"credit_limit": 1_000_000.0, "property_payment_term_id": self.payment_term.id}
        )
        return company

    def _chain(self, company, applies_to="order"):
        rules = self.env["sale.policy.rule"].search(
            [("company_id", "=", company.id), ("applies_to", "=", applies_to)]
        )
        return sorted(
            (
                rule.sequence,
                rule.department,
                rule.amount_min,
                tuple(sorted(rule.check_type_ids.mapped("code"))),
            )
            for rule in rules
        )

    def _expected(self, preset, applies_to="order"):
        """The preset's steps for `applies_to`, less those whose reviewer group or check
        this database lacks (a department another module adds)."""
        company = self.env.company
        return sorted(
            (
                step["sequence"],
                step["department"],
                step.get("amount_min", 0.0),
                tuple(sorted(step.get("checks", ()))),
            )
            for step in preset_steps(preset)
            if step.get("applies_to", "order") == applies_to
            and company._sale_policy_step_possible(step)
        )

    def _order_in(self, company, amount):
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
        self.env["stock.quant"]._update_available_quantity(
            self.product, warehouse.lot_stock_id, 10_000.0
        )
        team = self.env["crm.team"].create(
            {
                "name": f"Team {company.name}",
                "company_id": company.id,
                "user_id": self.sales_head.id,
            }
        )
        env = self.env(context=dict(self.env.context, allowed_company_ids=[company.id]))
        self.salesman.company_id = company
        order = (
            env["sale.order"]
            .with_user(self.salesman)
            .create(
                {
                    "company_id": company.id,
                    "partner_id": self.customer.id,
                    "user_id": self.salesman.id,
                    "team_id": team.id,
                    "payment_term_id": self.payment_term.id,
                    "commitment_date": fields.Datetime.now() + timedelta(days=10),
                    "customer_confirmation_method": "email",
                    "intake_channel": "email",
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product.id,
                                "product_uom_qty": 10,
                                "price_unit": amount / 10,
                            }
                        )
                    ],
                }
            )
        )
        order.action_submit_for_review()
        return order.with_env(env)

    def _approve_through(self, order):
        """Approve tier after tier with a user of each step; return the departments seen."""
        deciders = {
            "sales": self.sales_head,
            "finance": self.finance,
            "warehouse": self.warehouse,
            "logistics": self.logistics,
            "purchase": self.purchaser,
            "management": self.gm,
        }
        seen = []
        while order.approval_state == "pending":
            pending = order.policy_review_ids.filtered(lambda r: r.state == "pending")
            seen.append(sorted(pending.mapped("department")))
            for review in pending:
                user = deciders.get(review.department) or review.reviewer_user_ids[:1]
                review.with_user(user).action_approve("OK")
        return seen

    def test_each_preset_makes_its_chain_for_a_new_company(self):
        for preset in ("full", "thresholds", "head_only"):
            with self.subTest(preset=preset):
                company = self._new_company(preset)
                self.assertEqual(self._chain(company), self._expected(preset))
                self.assertEqual(self._chain(company, "change"), self._expected(preset, "change"))
                self.assertEqual(self._chain(company, "cancel"), self._expected(preset, "cancel"))

    def test_no_preset_starts_without_rules(self):
        company = self._new_company("none")
        rules = self.env["sale.policy.rule"].with_context(active_test=False)
        self.assertFalse(rules.search([("company_id", "=", company.id)]))
        # Nothing applies: an order of that company is approved and confirmed at once.
        order = self._order_in(company, 1_000.0)
        order.with_user(self.salesman).action_confirm()
        self.assertEqual((order.state, order.approval_state), ("sale", "approved"))

    def test_full_chain_end_to_end(self):
        company = self._new_company("full")
        order = self._order_in(company, 1_000.0)
        tiers = self._approve_through(order)
        self.assertEqual(tiers[0], ["sales"])
        self.assertIn("finance", tiers[1])
        self.assertIn("warehouse", tiers[1])
        self.assertEqual(tiers[-1], ["management"])
        self.assertEqual(order.approval_state, "approved")
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")

    def test_thresholds_end_to_end(self):
        company = self._new_company("thresholds")
        small = self._order_in(company, 1_000.0)
        self.assertEqual(self._approve_through(small), [["sales"]])
        large = self._order_in(company, 300_000.0)
        self.assertEqual(self._approve_through(large), [["sales"], ["finance"], ["management"]])
        large.with_user(self.salesman).action_confirm()
        self.assertEqual(large.state, "sale")

    def test_head_only_end_to_end(self):
        company = self._new_company("head_only")
        order = self._order_in(company, 300_000.0)
        self.assertEqual(self._approve_through(order), [["sales"]])
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")

    def test_reapplying_over_edited_rules_asks_and_archives(self):
        company = self._new_company("thresholds")
        settings = self.env["res.config.settings"].with_company(company).create({})
        # Untouched preset rules are replaced without a question.
        settings.sale_policy_chain_preset = "head_only"
        result = settings.action_sale_policy_apply_chain_preset()
        self.assertEqual(result["tag"], "display_notification")
        self.assertEqual(self._chain(company), self._expected("head_only"))
        # An admin edits a rule: applying again asks first, naming it.
        edited = self.env["sale.policy.rule"].search(
            [
                ("company_id", "=", company.id),
                ("department", "=", "sales"),
                ("applies_to", "=", "order"),
            ]
        )
        edited.amount_min = 1_000.0
        settings = self.env["res.config.settings"].with_company(company).create({})
        settings.sale_policy_chain_preset = "full"
        result = settings.action_sale_policy_apply_chain_preset()
        self.assertEqual(result["res_model"], "sale.policy.chain.preset.apply")
        wizard = self.env["sale.policy.chain.preset.apply"].browse(result["res_id"])
        self.assertEqual(wizard.replaced_rule_ids, edited)
        wizard.action_apply()
        self.assertFalse(edited.active, "what the preset replaced is kept, archived")
        self.assertTrue(edited.exists())
        self.assertEqual(self._chain(company), self._expected("full"))

    def test_preset_rule_names_are_translated(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        company = self._new_company("head_only")
        head = self.env["sale.policy.rule"].search(
            [
                ("company_id", "=", company.id),
                ("department", "=", "sales"),
                ("applies_to", "=", "order"),
            ]
        )
        self.assertEqual(head.with_context(lang="en_US").name, "Sales Head Review")
        self.assertNotEqual(head.with_context(lang="zh_CN").name, "Sales Head Review")


@tagged("post_install", "-at_install")
class TestRuleDryRun(SalePolicyCase):
    """A rule's form shows what it would have caught over the last 90 days of orders."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        now = fields.Datetime.now()
        cls.o600 = cls._make_order([(cls.product, 6, 100.0)], date_order=now - timedelta(days=10))
        cls.o300 = cls._make_order([(cls.product, 3, 100.0)], date_order=now - timedelta(days=20))
        cls._make_order([(cls.product, 8, 100.0)], date_order=now - timedelta(days=100))
        cancelled = cls._make_order([(cls.product, 9, 100.0)], date_order=now - timedelta(days=5))
        cancelled._action_cancel()
        # Out of stock: its stock check reports a warning when submitted (no rule: approved).
        cls.o_short = cls._make_order([(cls.product_no_stock, 5, 20.0)])
        cls.o_short.with_user(cls.salesman).action_submit_for_review()
        cls.stock_check = cls.env.ref("sale_order_policy.check_type_stock")
        cls.only_ours = f"[('partner_id', '=', {cls.customer.id})]"

    def _rule(self, **vals):
        return self._make_rule(
            "Dry Run",
            reviewer_user_ids=[Command.set(self.finance.ids)],
            domain_condition=self.only_ours,
            **vals,
        )

    def test_figures_match_hand_counted_orders(self):
        cases = [
            # (conditions, orders caught by hand)
            (
                {
                    "amount_min": 500.0,
                    "check_type_ids": [Command.set(self.stock_check.ids)],
                    "match_mode": "any",
                },
                self.o600 | self.o_short,
            ),
            (
                {
                    "amount_min": 500.0,
                    "check_type_ids": [Command.set(self.stock_check.ids)],
                    "match_mode": "all",
                },
                self.env["sale.order"],
            ),
            ({"amount_min": 250.0}, self.o600 | self.o300),
            ({"check_type_ids": [Command.set(self.stock_check.ids)]}, self.o_short),
            ({}, self.o600 | self.o300 | self.o_short),
        ]
        self.assertEqual(
            self.o_short.policy_check_ids.filtered(
                lambda c: c.check_type_id == self.stock_check
            ).result,
            "warning",
        )
        for vals, caught in cases:
            with self.subTest(vals=vals):
                rule = self._rule(**vals)
                self.assertEqual(rule.dry_run_order_count, len(caught))
                self.assertAlmostEqual(rule.dry_run_amount, sum(caught.mapped("amount_total")))
                action = rule.action_open_dry_run_orders()
                self.assertEqual(self.env["sale.order"].search(action["domain"]), caught)

    def test_figures_follow_the_form_before_saving(self):
        rule = self._rule(amount_min=250.0)
        with Form(rule) as form:
            self.assertEqual(form.dry_run_order_count, 2)
            form.amount_min = 500.0
            self.assertEqual(form.dry_run_order_count, 1)
            form.domain_condition = "[('partner_id', '=', 0)]"
            self.assertEqual(form.dry_run_order_count, 0)

    def test_one_grouped_query(self):
        rule = self._rule(
            amount_min=250.0, check_type_ids=[Command.set(self.stock_check.ids)], match_mode="any"
        )
        self.assertEqual(rule.dry_run_order_count, 3)  # the rule and currency read
        rule.invalidate_recordset(["dry_run_order_count", "dry_run_amount", "dry_run_error"])
        with self.assertQueryCount(1):
            self.assertEqual(rule.dry_run_order_count, 3)
            self.assertAlmostEqual(rule.dry_run_amount, 1_000.0)
