from odoo.tests import tagged
from odoo.tools import convert_file
from odoo.tools.misc import file_path

from .common import SalePolicyCase

NOUPDATE_FILES = [
    "data/sale_policy_rule_data.xml",
    "data/ir_cron_data.xml",
    "data/sale_policy_kpi_mail_template_data.xml",
    "data/sale_policy_settlement_data.xml",
]


@tagged("post_install", "-at_install")
class TestUpgradeKeepsAdminEdits(SalePolicyCase):
    """`-u sale_order_policy` reloads the data files in update mode: an administrator's edits
    to the shipped rules, crons and mail templates must survive it."""

    def _reload(self, path):
        convert_file(
            self.env,
            "sale_order_policy",
            path,
            {},
            mode="update",
            noupdate=False,
            pathname=file_path(f"sale_order_policy/{path}"),
        )

    def test_update_keeps_edited_rules_crons_and_templates(self):
        rule = self.env.ref("sale_order_policy.rule_finance")
        rule.write({"active": True, "amount_min": 123456.0, "sla_hours": 8.0})
        cron = self.env.ref("sale_order_policy.ir_cron_sale_policy_review_sla")
        cron.write({"interval_number": 17, "active": False})
        template = self.env.ref("sale_order_policy.mail_template_kpi_assessment")
        template.write({"subject": "Edited by the administrator"})
        for path in NOUPDATE_FILES:
            self._reload(path)
        self.env.invalidate_all()
        self.assertEqual(rule.amount_min, 123456.0)
        self.assertEqual(rule.sla_hours, 8.0)
        self.assertEqual(cron.interval_number, 17)
        self.assertFalse(cron.active)
        self.assertEqual(template.subject, "Edited by the administrator")

    def test_shipped_defaults_are_noupdate(self):
        shipped = self.env["ir.model.data"].search(
            [
                ("module", "=", "sale_order_policy"),
                (
                    "model",
                    "in",
                    [
                        "sale.policy.rule",
                        "ir.cron",
                        "mail.template",
                        "sale.policy.dunning.level",
                        "sale.policy.exception.type",
                        "sale.policy.cancel.reason",
                    ],
                ),
            ]
        )
        self.assertTrue(shipped)
        self.assertEqual(shipped.filtered(lambda data: not data.noupdate).mapped("name"), [])
