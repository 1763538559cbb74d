import hashlib
import json
import uuid

import psycopg2.errors

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, new_test_user, tagged
from odoo.tools import config, mute_logger

from .common import SalePolicyCase


def hash_by_hand(cr, table, fields, line_id):
    """The hash of one line, from its row, written out without the module's code: sha256
    of the JSON of its position, the previous hash and its values (ids, UTC dates,
    amounts with six decimals, empty values as null)."""
    cr.execute(f"SELECT * FROM {table} WHERE id = %s", [line_id])  # noqa: S608
    row = cr.dictfetchall()[0]
    values = {}
    for name in fields:
        value = row[name]
        if not value:
            value = None
        elif hasattr(value, "strftime"):
            value = value.strftime("%Y-%m-%d %H:%M:%S")
        elif isinstance(value, float):
            value = f"{value:.6f}"
        values[name] = value
    canonical = json.dumps(
        {
            "previous_hash": row["chain_previous_hash"] or "",
            "sequence": row["chain_sequence"],
            "values": values,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@tagged("post_install", "-at_install")
class TestPolicyLogHashChain(SalePolicyCase):
    """Issue #24 item 4: the logs prove themselves. Each line is chained to the previous
    line of its company by its hash; a line changed or deleted with SQL is named by the
    verification, and the daily cron tells the general managers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Log = cls.env["sale.policy.log"]
        cls.ConfigLog = cls.env["sale.policy.config.log"]
        cls._make_rule("Sales Head", 10, reviewer_type="team_leader")
        cls.gm_zh = new_test_user(
            cls.env,
            "sop_gm_zh",
            groups="base.group_user,sale_order_policy.group_general_manager",
            name="Manager Zhou",
        )
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.gm_zh.lang = "zh_CN"

    def _approved_and_confirmed_order(self):
        order = self._make_order()
        order.with_user(self.salesman).action_submit_for_review()
        review = order.policy_review_ids.filtered(lambda r: r.state == "pending")
        review.with_user(self.sales_head).action_approve("Fine")
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")
        return order

    def _chain(self, model):
        """The company's chain, in chain order."""
        return (
            self.env[model]
            .sudo()
            .search([("company_id", "=", self.company.id)])
            .sorted("chain_sequence")
        )

    def _verify(self, model="sale.policy.log"):
        self.env.flush_all()
        self.env.invalidate_all()
        return self.env[model].sudo()._policy_chain_verify([self.company.id])

    def _gm_notifications(self):
        return self.env["mail.message"].search(
            [
                ("model", "=", "res.company"),
                ("res_id", "=", self.company.id),
                ("message_type", "=", "user_notification"),
            ]
        )

    def test_normal_flow_builds_the_chain_and_verifies(self):
        order = self._approved_and_confirmed_order()
        lines = order.policy_log_ids.sorted("id")
        self.assertEqual(lines.mapped("event"), ["submit", "approve", "confirm"])
        # In the order they were written, each one position after the other.
        self.assertEqual(lines.sorted("chain_sequence"), lines)
        chain = self._chain("sale.policy.log")
        self.assertEqual(
            chain.mapped("chain_sequence"), list(range(1, len(chain) + 1)), "no gap, no fork"
        )
        for previous, line in zip(chain, chain[1:], strict=False):
            self.assertEqual(line.chain_previous_hash, previous.chain_hash)
        # The hash of the approval, computed by hand.
        approve = lines.filtered(lambda line: line.event == "approve")
        self.env.flush_all()
        expected = hash_by_hand(
            self.env.cr, "sale_policy_log", self.Log._policy_chain_fields(), approve.id
        )
        self.assertEqual(approve.chain_hash, expected)
        self.assertEqual(len(approve.chain_hash), 64)
        self.assertEqual(self._verify(), [])
        # The button says so.
        action = self.Log.with_user(self.gm).action_policy_verify_chain()
        self.assertEqual(action["params"]["type"], "success")

    def test_sql_edit_and_delete_are_named(self):
        first = self._approved_and_confirmed_order()
        second = self._approved_and_confirmed_order()
        edited = first.policy_log_ids.filtered(lambda line: line.event == "approve")
        deleted = second.policy_log_ids.filtered(lambda line: line.event == "approve")
        after_deleted = second.policy_log_ids.filtered(lambda line: line.event == "confirm")
        self.assertEqual(after_deleted.chain_sequence, deleted.chain_sequence + 1)
        deleted_position = deleted.chain_sequence
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE sale_policy_log SET comment = 'Approved by the board' WHERE id = %s",
            [edited.id],
        )
        self.env.cr.execute("DELETE FROM sale_policy_log WHERE id = %s", [deleted.id])
        problems = self._verify()
        self.assertEqual(
            [(p["kind"], p["line_id"]) for p in problems],
            [("edited", edited.id), ("missing", after_deleted.id)],
        )
        edit, gap = problems
        self.assertIn(f"line {edited.id} ", edit["message"])
        self.assertIn(first.name, edit["message"])
        self.assertIn("hash mismatch", edit["message"])
        self.assertEqual(gap["sequence"], deleted_position)
        self.assertIn(
            f"positions {deleted_position} to {deleted_position} of the chain are missing",
            gap["message"],
        )
        self.assertIn(second.name, gap["message"])
        self.assertIn(f"line {after_deleted.id} ", gap["message"])
        # The button reports both, and is not for everyone.
        action = self.Log.with_user(self.policy_admin).action_policy_verify_chain()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn(edit["message"], action["params"]["message"])
        self.assertIn(gap["message"], action["params"]["message"])
        with self.assertRaises(Exception):  # noqa: B017 - AccessError
            self.Log.with_user(self.salesman).action_policy_verify_chain()

    def test_deleted_last_line_and_unchained_line(self):
        order = self._approved_and_confirmed_order()
        last = order.policy_log_ids.filtered(lambda line: line.event == "confirm")
        last_position = last.chain_sequence
        self.env.flush_all()
        self.env.cr.execute("DELETE FROM sale_policy_log WHERE id = %s", [last.id])
        self.env.cr.execute(
            "INSERT INTO sale_policy_log (company_id, order_id, event, user_id, date) "
            "VALUES (%s, %s, 'approve', %s, now() at time zone 'utc') RETURNING id",
            [self.company.id, order.id, self.gm.id],
        )
        (forged_id,) = self.env.cr.fetchone()
        problems = self._verify()
        self.assertEqual(
            [(p["kind"], p["line_id"]) for p in problems],
            [("missing", None), ("unchained", forged_id)],
        )
        self.assertEqual(problems[0]["sequence"], last_position)
        self.assertIn(f"positions {last_position} to {last_position}", problems[0]["message"])
        self.assertIn("before the end", problems[0]["message"])

    def test_config_log_edit_is_named(self):
        rule = self.env["sale.policy.rule"].search([("company_id", "=", self.company.id)], limit=1)
        rule.with_user(self.policy_admin).write({"amount_min": 50_000.0})
        line = self.ConfigLog.search(
            [("res_model", "=", "sale.policy.rule"), ("res_id", "=", rule.id)],
            order="id desc",
            limit=1,
        )
        self.assertEqual(line.field_name, "amount_min")
        self.assertTrue(line.chain_hash)
        self.env.flush_all()
        self.assertEqual(
            line.chain_hash,
            hash_by_hand(
                self.env.cr,
                "sale_policy_config_log",
                self.ConfigLog._policy_chain_fields(),
                line.id,
            ),
        )
        self.assertEqual(self._verify("sale.policy.config.log"), [])
        self.env.cr.execute(
            "UPDATE sale_policy_config_log SET new_value = '5000.0' WHERE id = %s", [line.id]
        )
        problems = self._verify("sale.policy.config.log")
        self.assertEqual([(p["kind"], p["line_id"]) for p in problems], [("edited", line.id)])
        self.assertIn(rule.display_name, problems[0]["message"])

    def test_cron_tells_the_general_managers_only_on_failure(self):
        order = self._approved_and_confirmed_order()
        self.env.flush_all()
        self.assertEqual(self.Log._cron_policy_verify_chain(), [])
        self.assertFalse(self._gm_notifications())

        line = order.policy_log_ids.filtered(lambda line: line.event == "submit")
        self.env.cr.execute(
            "UPDATE sale_policy_log SET user_id = %s WHERE id = %s", [self.gm.id, line.id]
        )
        self.env.invalidate_all()
        problems = self.Log._cron_policy_verify_chain()
        self.assertEqual([(p["kind"], p["line_id"]) for p in problems], [("edited", line.id)])
        messages = self._gm_notifications()
        self.assertEqual(len(messages), 2, "one message per language")
        english = messages.filtered(lambda m: self.gm.partner_id in m.partner_ids)
        chinese = messages.filtered(lambda m: self.gm_zh.partner_id in m.partner_ids)
        self.assertNotIn(self.salesman.partner_id, messages.partner_ids)
        self.assertIn("changed after it was written", english.body)
        self.assertIn(order.name, english.body)
        self.assertIn("被改动", chinese.body)
        self.assertIn(order.name, chinese.body)

    def test_lines_of_one_transaction_chain_in_order(self):
        order = self._make_order()
        lines = self.Log._policy_add_many(
            [{"order": order, "event": "reminder"}, {"order": order, "event": "escalate"}]
        )
        lines |= self.Log._policy_add(order, "round_breach")
        first, second, third = lines
        self.assertEqual(second.chain_sequence, first.chain_sequence + 1)
        self.assertEqual(third.chain_sequence, second.chain_sequence + 1)
        self.assertEqual(second.chain_previous_hash, first.chain_hash)
        self.assertEqual(third.chain_previous_hash, second.chain_hash)
        self.assertEqual(self._verify(), [])

    def test_upgrade_chains_existing_lines_in_id_order(self):
        """Lines written before 18.0.1.4.0 have no place in a chain: `init()` chains them
        once, per company in id order."""
        order = self._approved_and_confirmed_order()
        self.env.flush_all()
        cr = self.env.cr
        cr.execute("DELETE FROM sale_policy_log_chain_head WHERE log_table = 'sale_policy_log'")
        cr.execute(
            "UPDATE sale_policy_log SET chain_sequence = NULL, chain_previous_hash = NULL, "
            "chain_hash = NULL"
        )
        self.env.invalidate_all()
        self.Log.init()
        self.env.invalidate_all()
        chain = self._chain("sale.policy.log")
        self.assertEqual(chain.sorted("id"), chain, "chained in id order")
        self.assertEqual(chain.mapped("chain_sequence"), list(range(1, len(chain) + 1)))
        self.assertIn(order.policy_log_ids[:1], chain)
        self.assertEqual(self._verify(), [])
        # A line written past the engine later is not chained by the next update.
        cr.execute(
            "INSERT INTO sale_policy_log (company_id, event, user_id, date) "
            "VALUES (%s, 'policy_off', %s, now() at time zone 'utc') RETURNING id",
            [self.company.id, self.gm.id],
        )
        (forged_id,) = cr.fetchone()
        self.Log.init()
        self.assertEqual(
            [(p["kind"], p["line_id"]) for p in self._verify()], [("unchained", forged_id)]
        )

    def test_approval_sheet_prints_the_last_decision_hash(self):
        order = self._approved_and_confirmed_order()
        approve = order.policy_log_ids.filtered(lambda line: line.event == "approve")
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("sale_order_policy.action_report_approval_sheet", order.ids)[0]
            .decode()
        )
        self.assertIn("Record hash", html)
        self.assertIn(approve.chain_hash[:16], html)
        self.assertNotIn(approve.chain_hash[:17], html)


@tagged("post_install", "-at_install")
class TestPolicyLogChainConcurrency(BaseCase):
    """Two transactions appending to one company's chain never fork it: the second waits
    for the first, then fails to serialise and is retried on a fresh snapshot (as Odoo's
    RPC layer does), continuing the chain."""

    def setUp(self):
        super().setUp()
        self.registry = Registry(config["db_name"])
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.company_id = (
                env["res.company"].create({"name": f"SOP Chain {uuid.uuid4().hex[:8]}"}).id
            )

    def _append(self, cr, event):
        env = api.Environment(cr, SUPERUSER_ID, {"allowed_company_ids": [self.company_id]})
        return env["sale.policy.log"]._policy_add(env["sale.order"], event)

    @mute_logger("odoo.sql_db")
    def test_concurrent_appends_do_not_fork(self):
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            cr2.execute("SELECT 1")  # cr2's snapshot predates cr1's line
            first = self._append(cr1, "policy_on")
            cr2.execute("SET LOCAL lock_timeout = '200ms'")
            with self.assertRaises(psycopg2.errors.LockNotAvailable):
                self._append(cr2, "policy_off")  # waits for cr1's chain
            cr2.rollback()
            cr2.execute("SELECT 1")
            cr1.commit()
            with self.assertRaises(psycopg2.errors.SerializationFailure):
                self._append(cr2, "policy_off")  # would fork: refused
            cr2.rollback()
            second = self._append(cr2, "policy_off")  # the retry
            self.assertEqual(second.chain_sequence, first.chain_sequence + 1)
            self.assertEqual(second.chain_previous_hash, first.chain_hash)
            cr2.commit()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.assertEqual(env["sale.policy.log"]._policy_chain_verify([self.company_id]), [])
