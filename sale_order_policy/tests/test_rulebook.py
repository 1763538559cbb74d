from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import SalePolicyCase


@tagged("post_install", "-at_install")
class TestRulebook(SalePolicyCase):
    """Changes to the policy's configuration are kept: who, when, old → new, in the
    record's chatter and in a configuration log nobody can rewrite."""

    def _log(self, record, **domain):
        return self.env["sale.policy.config.log"].search(
            [("res_model", "=", record._name), ("res_id", "=", record.id)]
            + [(key, "=", value) for key, value in domain.items()]
        )

    def _flush_tracking(self):
        self.env.flush_all()
        self.env.cr.precommit.run()

    def test_rule_edit_is_logged_with_old_and_new_value(self):
        rule = self._make_rule("Finance", 20, reviewer_user_ids=[Command.set(self.finance.ids)])
        self.assertEqual(self._log(rule, event="create").user_id, self.env.user)
        self._flush_tracking()  # as if created in an earlier request
        rule.with_user(self.policy_admin).write({"amount_min": 50_000.0, "sequence": 30})
        changes = self._log(rule, event="write")
        self.assertEqual(
            sorted(changes.mapped(lambda line: (line.field_name, line.old_value, line.new_value))),
            [("amount_min", "0.0", "50000.0"), ("sequence", "20", "30")],
        )
        self.assertEqual(changes.user_id, self.policy_admin)
        # The chatter shows the same change, by the same person.
        self._flush_tracking()
        tracking = rule.message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "amount_min"
        )
        self.assertEqual((tracking.old_value_float, tracking.new_value_float), (0.0, 50_000.0))
        self.assertEqual(tracking.mail_message_id.author_id, self.policy_admin.partner_id)

    def test_reviewers_and_archive_are_logged_readably(self):
        rule = self._make_rule("Finance", 20, reviewer_user_ids=[Command.set(self.finance.ids)])
        rule.reviewer_user_ids = [Command.link(self.finance2.id)]
        rule.active = False
        lines = {line.field_name: line for line in self._log(rule, event="write")}
        self.assertEqual(lines["reviewer_user_ids"].old_value, "Finance Fang")
        self.assertEqual(lines["reviewer_user_ids"].new_value, "Finance Fang, Finance Feng")
        self.assertEqual(lines["active"].new_value, "No")
        rule.unlink()
        self.assertTrue(self._log(rule, event="unlink"))

    def test_settings_check_and_exception_types_are_logged(self):
        self.env["res.config.settings"].create({"sale_policy_sla_hours": 12.0}).execute()
        line = self._log(self.company, field_name="sale_policy_sla_hours")
        self.assertEqual((line.old_value, line.new_value), ("24.0", "12.0"))
        check = self.env.ref("sale_order_policy.check_type_price")
        check.active = False
        self.assertEqual(self._log(check, field_name="active").new_value, "No")
        exception_type = self.env.ref("sale_order_policy.exception_type_late_delivery")
        exception_type.deadline_hours = 8
        self._flush_tracking()
        self.assertTrue(self._log(exception_type, field_name="deadline_hours"))
        self.assertTrue(exception_type.message_ids.tracking_value_ids)

    def test_log_cannot_be_rewritten(self):
        rule = self._make_rule("Finance", 20, reviewer_user_ids=[Command.set(self.finance.ids)])
        line = self._log(rule, event="create")
        with self.assertRaises(UserError):
            line.sudo().write({"new_value": "forged"})
        with self.assertRaises(UserError):
            line.sudo().unlink()
        with self.assertRaises(UserError):
            self.env["sale.policy.config.log"].sudo().create(
                {"res_model": "sale.policy.rule", "event": "write", "new_value": "forged"}
            )
        with self.assertRaises(AccessError):
            line.with_user(self.salesman).read(["new_value"])
        self.assertEqual(line.with_user(self.gm).new_value, False)
