import uuid

import psycopg2.errors

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, tagged
from odoo.tools import config


@tagged("post_install", "-at_install")
class TestDecisionConcurrency(BaseCase):
    """Two reviewers on two database cursors: decisions are never lost nor doubled.

    The data is committed (other cursors must see it) in a company of its own."""

    def setUp(self):
        super().setUp()
        self.registry = Registry(config["db_name"])
        tag = uuid.uuid4().hex[:8]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env["res.company"].create(
                {"name": f"SOP Concurrency {tag}", "sale_policy_enabled": True}
            )
            reviewer_group = env.ref("sale_order_policy.group_finance_reviewer")
            salesman_group = env.ref("sales_team.group_sale_salesman")

            def user(login, group):
                return env["res.users"].create(
                    {
                        "name": login,
                        "login": f"{login}-{tag}",
                        "email": f"{login}-{tag}@example.com",
                        "company_id": company.id,
                        "company_ids": [Command.set(company.ids)],
                        "groups_id": [Command.set([env.ref("base.group_user").id, group.id])],
                    }
                )

            self.r1 = user("rev1", reviewer_group).id
            self.r2 = user("rev2", reviewer_group).id
            self.r3 = user("rev3", reviewer_group).id
            salesman = user("sales", salesman_group)
            env = env(context={"allowed_company_ids": company.ids})
            rule_vals = {"company_id": company.id, "reviewer_type": "users"}
            self.rule_shared = (
                env["sale.policy.rule"]
                .create(
                    {
                        **rule_vals,
                        "name": "Shared",
                        "sequence": 10,
                        "approval_mode": "any",
                        "reviewer_user_ids": [Command.set([self.r1, self.r2])],
                    }
                )
                .id
            )
            partner = env["res.partner"].create(
                {"name": f"Customer {tag}", "email": "c@example.com", "company_id": company.id}
            )
            product = env["product.product"].create(
                {"name": f"Item {tag}", "list_price": 10.0, "taxes_id": [Command.clear()]}
            )
            env["res.partner"].browse(partner.id).with_company(company).credit_limit = 1e9
            company.account_use_credit_limit = True
            self.company_id = company.id
            self.salesman_id = salesman.id
            self.partner_id = partner.id
            self.product_id = product.id

    def _new_order(self, rule_ids):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"allowed_company_ids": [self.company_id]})
            env["sale.policy.rule"].search([("company_id", "=", self.company_id)]).write(
                {"active": False}
            )
            env["sale.policy.rule"].browse(rule_ids).write({"active": True})
            order = (
                env["sale.order"]
                .with_user(self.salesman_id)
                .create(
                    {
                        "partner_id": self.partner_id,
                        "company_id": self.company_id,
                        "payment_term_id": env.ref("account.account_payment_term_immediate").id,
                        "commitment_date": "2099-01-01 10:00:00",
                        "customer_confirmation_method": "phone",
                        "intake_channel": "phone",
                        "order_line": [
                            Command.create({"product_id": self.product_id, "price_unit": 10})
                        ],
                    }
                )
            )
            order.with_user(self.salesman_id).action_submit_for_review()
            return order.id

    def _env(self, cr, uid):
        return api.Environment(cr, uid, {"allowed_company_ids": [self.company_id]})

    def test_two_reviewers_same_step_one_decision(self):
        order_id = self._new_order([self.rule_shared])
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            review1 = (
                self._env(cr1, self.r1)["sale.order"].browse(order_id).sudo().policy_review_ids
            )
            review1 = review1.with_user(self.r1)
            review2 = self._env(cr2, self.r2)["sale.policy.review"].browse(review1.id)
            review1.action_approve("first")
            with self.assertRaisesRegex(UserError, "being decided by someone else"):
                review2.action_approve("second")
            cr2.rollback()
            cr1.commit()
            # The loser retries on a fresh snapshot, as Odoo's RPC layer does.
            with self.assertRaisesRegex(UserError, "already been decided"):
                review2.action_approve("second")
            cr2.rollback()
        with self.registry.cursor() as cr:
            order = api.Environment(cr, SUPERUSER_ID, {})["sale.order"].browse(order_id)
            self.assertEqual(order.approval_state, "approved")
            review = order.policy_review_ids
            self.assertEqual(review.decided_by_id.id, self.r1)
            self.assertEqual(review.comment, "first")
            self.assertEqual(order.policy_log_ids.mapped("event").count("approve"), 1)

    def test_parallel_steps_decided_at_once_open_the_next_tier(self):
        with self.registry.cursor() as cr:
            env = self._env(cr, SUPERUSER_ID)
            base = {"company_id": self.company_id, "reviewer_type": "users"}
            rule_a = env["sale.policy.rule"].create(
                {**base, "name": "A", "sequence": 10, "reviewer_user_ids": [Command.set([self.r1])]}
            )
            rule_b = env["sale.policy.rule"].create(
                {**base, "name": "B", "sequence": 10, "reviewer_user_ids": [Command.set([self.r2])]}
            )
            rule_c = env["sale.policy.rule"].create(
                {**base, "name": "C", "sequence": 20, "reviewer_user_ids": [Command.set([self.r3])]}
            )
            rules = [rule_a.id, rule_b.id, rule_c.id]
        order_id = self._new_order(rules)
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            env2 = self._env(cr2, self.r2)
            review_b = env2["sale.policy.review"].search(
                [("order_id", "=", order_id), ("rule_id", "=", rules[1])]
            )  # cr2 takes its snapshot before cr1 decides
            env1 = self._env(cr1, self.r1)
            review_a = env1["sale.policy.review"].search(
                [("order_id", "=", order_id), ("rule_id", "=", rules[0])]
            )
            review_a.action_approve()
            cr1.commit()
            with self.assertRaises(psycopg2.errors.SerializationFailure):
                review_b.action_approve()
            cr2.rollback()
            review_b.invalidate_recordset()
            review_b.action_approve()  # the retry Odoo's RPC layer performs
            cr2.commit()
        with self.registry.cursor() as cr:
            order = api.Environment(cr, SUPERUSER_ID, {})["sale.order"].browse(order_id)
            states = {r.rule_id.name: r.state for r in order.policy_review_ids}
            self.assertEqual(states, {"A": "approved", "B": "approved", "C": "pending"})
            self.assertEqual(order.approval_state, "pending")
