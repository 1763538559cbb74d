import importlib.util
import io

import openpyxl
from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged
from odoo.tools import SQL, mute_logger
from odoo.tools.misc import file_path

from .common_settlement import SalePolicySettlementCase


@tagged("post_install", "-at_install")
class TestReceivableAging(SalePolicySettlementCase):
    """账龄分析: open amounts rebuilt at a date, bucketed, with the bad-debt provision.

    Company currency USD; aging periods 30/60/90/180 days; provision rates
    0% / 1% / 5% / 10% / 30% / 50% (the shipped defaults, set explicitly here).

    Customer A (上海客户有限公司), in USD:
      INV1 1,000 on 2026-03-01, due 03-31, paid 400 on 04-15;
      INV2   500 on 2026-06-01, due 07-01;
      INV3   800 on 2026-05-15, due 06-14, credit note 300 on 06-10 matched against it.
    Customer B (Hamburg), in EUR (1 USD = 0.5 EUR on 01-01, 0.4 EUR from 04-01):
      INV4 1,000 EUR = 2,000 USD on 2026-01-10, due 02-09, paid 500 EUR (1,250 USD) on
      04-01. The invoice keeps its historical rate: 500 EUR open = 1,000 USD; the
      250 USD exchange gain is booked on the payment side.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.sale_policy_aging_period_ids = [Command.clear()] + [
            Command.create(
                {"days_to": days_to, "open_ended": open_ended, "provision_percent": rate}
            )
            for days_to, open_ended, rate in (
                (0, False, 0.0),
                (30, False, 1.0),
                (60, False, 5.0),
                (90, False, 10.0),
                (180, False, 30.0),
                (0, True, 50.0),
            )
        ]
        cls._set_rate(cls.eur, "2026-01-01", 0.5)
        cls._set_rate(cls.eur, "2026-04-01", 0.4)
        cls.inv1 = cls._make_invoice(cls.customer, 1000.0, "2026-03-01", "2026-03-31")
        cls._pay(cls.inv1, 400.0, "2026-04-15")
        cls.inv2 = cls._make_invoice(cls.customer, 500.0, "2026-06-01", "2026-07-01")
        cls.inv3 = cls._make_invoice(cls.customer, 800.0, "2026-05-15", "2026-06-14")
        cls.refund = cls._make_invoice(
            cls.customer, 300.0, "2026-06-10", "2026-06-10", move_type="out_refund"
        )
        cls._receivable(cls.inv3 | cls.refund).reconcile()
        cls.inv4 = cls._make_invoice(
            cls.customer_b, 1000.0, "2026-01-10", "2026-02-09", currency=cls.eur
        )
        cls._pay(cls.inv4, 500.0, "2026-04-01", currency=cls.eur)
        cls.partners = cls.customer | cls.customer_b

    def _report(self, date):
        # Report rows are keyed by journal item: drop values read at another date.
        self.env["sale.policy.aging.report"].invalidate_model()
        return self.env["sale.policy.aging.report"].with_context(sale_policy_aging_date=date)

    def _rows(self, date):
        rows = self._report(date).search([("partner_id", "in", self.partners.ids)])
        return {
            row.move_id: (row.bucket, row.days_overdue, row.residual, row.provision) for row in rows
        }

    def _by_partner(self, date):
        groups = self._report(date)._read_group(
            [("partner_id", "in", self.partners.ids)],
            ["partner_id", "bucket"],
            ["residual:sum", "provision:sum"],
        )
        return {
            (partner, bucket): (residual, provision)
            for partner, bucket, residual, provision in groups
        }

    def test_today_partial_payment_credit_note_foreign_currency(self):
        self.assertEqual(self.inv4.amount_residual, 500.0, "500 EUR remain on the invoice")
        rows = self._rows("2026-06-30")
        self.assertEqual(
            rows,
            {
                # 400 of 1,000 paid; 91 days late: 91–180 days, 30% provision.
                self.inv1: ("p4", 91, 600.0, 180.0),
                # Not due before 07-01.
                self.inv2: ("current", -1, 500.0, 0.0),
                # 800 - credit note 300; 16 days late: 1–30 days, 1%.
                self.inv3: ("p1", 16, 500.0, 5.0),
                # 500 EUR at the invoice rate (2 USD per EUR); 141 days late.
                self.inv4: ("p4", 141, 1000.0, 300.0),
            },
        )
        self.assertNotIn(self.refund, rows, "a fully matched credit note is not open")
        by_partner = self._by_partner("2026-06-30")
        self.assertEqual(
            by_partner,
            {
                (self.customer, "current"): (500.0, 0.0),
                (self.customer, "p1"): (500.0, 5.0),
                (self.customer, "p4"): (600.0, 180.0),
                (self.customer_b, "p4"): (1000.0, 300.0),
            },
        )
        # Grouped by salesperson and team: every invoice is Sam's, in the policy team.
        [(user, team, total, provision)] = self._report("2026-06-30")._read_group(
            [("partner_id", "in", self.partners.ids)],
            ["user_id", "team_id"],
            ["residual:sum", "provision:sum"],
        )
        self.assertEqual((user, team), (self.salesman, self.team))
        self.assertAlmostEqual(total, 2600.0)
        self.assertAlmostEqual(provision, 485.0)

    def test_as_of_date_in_the_past(self):
        # 03-31: no payment yet, INV2/INV3/credit note not issued yet.
        self.assertEqual(
            self._rows("2026-03-31"),
            {
                self.inv1: ("current", 0, 1000.0, 0.0),
                # 2,000 USD, 50 days late: 31–60 days, 5%.
                self.inv4: ("p2", 50, 2000.0, 100.0),
            },
        )
        # 06-05: INV1's payment counts, the credit note of 06-10 does not yet.
        self.assertEqual(
            self._rows("2026-06-05"),
            {
                self.inv1: ("p3", 66, 600.0, 60.0),
                self.inv2: ("current", -26, 500.0, 0.0),
                self.inv3: ("current", -9, 800.0, 0.0),
                self.inv4: ("p4", 116, 1000.0, 300.0),
            },
        )

    def test_unmatched_credit_note_and_full_payment(self):
        refund = self._make_invoice(
            self.customer_b, 100.0, "2026-06-20", "2026-06-20", move_type="out_refund"
        )
        self._pay(self.inv4, 500.0, "2026-06-25", currency=self.eur)
        rows = self._rows("2026-06-30")
        self.assertNotIn(self.inv4, rows, "a fully paid invoice leaves the report")
        # An open credit note lowers what the customer owes (1–30 days bucket); a credit is
        # never provisioned, and this customer owes nothing else.
        self.assertEqual(rows[refund], ("p1", 10, -100.0, 0.0))
        # Before the second payment the foreign invoice was still half open.
        self.assertEqual(self._rows("2026-06-24")[self.inv4][2], 1000.0)

    def test_provision_on_the_net_balance(self):
        """坏账准备 on the customer's net balance: credits offset the oldest debits first."""
        customer_c = self.env["res.partner"].create({"name": "南京平衡客户"})
        # The reported case: a credit note not yet due offsets an invoice 1–30 days late.
        invoice = self._make_invoice(customer_c, 36512.50, "2026-06-01", "2026-06-10")
        refund = self._make_invoice(
            customer_c, 36512.50, "2026-06-20", "2026-07-20", move_type="out_refund"
        )
        report = self._report("2026-06-30")
        rows = {
            row.move_id: (row.bucket, row.residual, row.provision)
            for row in report.search([("partner_id", "=", customer_c.id)])
        }
        self.assertEqual(
            rows, {invoice: ("p1", 36512.50, 0.0), refund: ("current", -36512.50, 0.0)}
        )
        [(total, provision)] = report._read_group(
            [("partner_id", "=", customer_c.id)], [], ["residual:sum", "provision:sum"]
        )
        self.assertEqual((total, provision), (0.0, 0.0), "net balance 0: no provision")

        # A credit of 700 on customer A: it covers INV1 (600 open, 91 days late) first,
        # then 100 of INV3 (500 open, 16 days); INV2 (not due) stays whole.
        self._make_invoice(self.customer, 700.0, "2026-06-25", "2026-06-25", move_type="out_refund")
        rows = self._rows("2026-06-30")
        self.assertEqual(rows[self.inv1], ("p4", 91, 600.0, 0.0))
        self.assertEqual(rows[self.inv3], ("p1", 16, 500.0, 4.0))  # 400 x 1%
        self.assertEqual(rows[self.inv2], ("current", -1, 500.0, 0.0))
        # Customer B is untouched by A's credit.
        self.assertEqual(rows[self.inv4], ("p4", 141, 1000.0, 300.0))

    def _period(self, days_to):
        return self.company.sale_policy_aging_period_ids.filtered(
            lambda p: p.days_to == days_to and not p.open_ended
        )

    def test_configurable_limits_and_rates(self):
        self._period(30).write({"days_to": 15, "provision_percent": 2.0})
        labels = dict(self.env["sale.policy.aging.report"]._selection_bucket())
        self.assertEqual(labels["p1"], "1–15 days")
        self.assertEqual(labels["p2"], "16–60 days")
        self.assertEqual(labels["p5"], "Over 180 days")
        self.assertEqual(self.company._sale_policy_aging_limits(), [15, 60, 90, 180])
        self.assertEqual(self.company._sale_policy_provision_rates(), [0, 2, 5, 10, 30, 50])
        # INV3 is 16 days late: now in the second period at 5%.
        self.assertEqual(self._rows("2026-06-30")[self.inv3], ("p2", 16, 500.0, 25.0))

    def test_period_added_and_validated(self):
        # A 360-day period splits the older receivables; keys follow the periods' order.
        self.company.sale_policy_aging_period_ids = [
            Command.create({"days_to": 120, "provision_percent": 20.0})
        ]
        labels = dict(self.env["sale.policy.aging.report"]._selection_bucket())
        self.assertEqual(labels["p4"], "91–120 days")
        self.assertEqual(labels["p5"], "121–180 days")
        self.assertEqual(labels["p6"], "Over 180 days")
        # INV4 is 141 days late: 121–180 days at 30%.
        self.assertEqual(self._rows("2026-06-30")[self.inv4], ("p5", 141, 1000.0, 300.0))
        for vals in ({"days_to": 60}, {"days_to": -5}, {"provision_percent": 120.0}):
            with (
                self.subTest(vals=vals),
                mute_logger("odoo.sql_db"),
                self.assertRaises(IntegrityError),
                self.cr.savepoint(),
            ):
                self._period(90).write(vals)
                self.env.flush_all()
        with self.assertRaises(ValidationError):
            older = self.company.sale_policy_aging_period_ids.filtered("open_ended")
            self.company.sale_policy_aging_period_ids = [Command.unlink(older.id)]

    def test_wizard_opens_report_and_exports_xlsx(self):
        wizard = Form(self.env["sale.policy.aging.options"].with_user(self.finance))
        wizard.aging_date = self._date("2026-06-30")
        options = wizard.save()
        action = options.action_open_report()
        self.assertEqual(action["res_model"], "sale.policy.aging.report")
        self.assertEqual(action["context"]["sale_policy_aging_date"], "2026-06-30")
        # Drill-down: a report line opens its invoice.
        line = self._report("2026-06-30").search([("move_id", "=", self.inv1.id)])
        self.assertEqual(line.action_open_invoice()["res_id"], self.inv1.id)

        download = options.action_export_xlsx()
        attachment_id = int(download["url"].split("/")[3].split("?")[0])
        attachment = self.env["ir.attachment"].browse(attachment_id)
        book = openpyxl.load_workbook(io.BytesIO(attachment.raw), read_only=True)
        summary = {row[0]: row for row in book.worksheets[0].iter_rows(min_row=4, values_only=True)}
        # Customer, company, not due, 1–30, 31–60, 61–90, 91–180, >180, total, provision.
        self.assertEqual(
            summary[self.customer_b.display_name][2:],
            (0, 0, 0, 0, 1000, 0, 1000, 300),
        )
        self.assertEqual(
            summary[self.customer.display_name][2:],
            (500, 500, 0, 0, 600, 0, 1600, 185),
        )
        details = list(book.worksheets[1].iter_rows(min_row=2, values_only=True))
        self.assertIn(self.inv4.name, [row[0] for row in details])

    def test_settings_edit_periods(self):
        """Finance edits the periods as a list in Settings; the labels follow."""
        settings = Form(self.env["res.config.settings"])
        with settings.sale_policy_aging_period_ids.new() as period:
            period.days_to = 365
            period.provision_percent = 80.0
        settings.save().execute()
        self.assertEqual(self.company._sale_policy_aging_limits(), [30, 60, 90, 180, 365])
        self.assertEqual(self.company._sale_policy_provision_rates(), [0, 1, 5, 10, 30, 80, 50])
        self.assertEqual(
            self.company._sale_policy_aging_periods().mapped("name"),
            [
                "Not Due",
                "1–30 days",
                "31–60 days",
                "61–90 days",
                "91–180 days",
                "181–365 days",
                "Over 365 days",
            ],
        )

    def test_migration_builds_periods_from_old_columns(self):
        """Upgrade to 18.0.1.3.0: a company's numbered columns become its periods."""
        path = file_path("sale_order_policy/migrations/18.0.1.3.0/post-aging-periods.py")
        spec = importlib.util.spec_from_file_location("sale_policy_post_aging_periods", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        for column in migration.OLD_LIMITS + migration.OLD_RATES:
            self.env.cr.execute(
                SQL(
                    "ALTER TABLE res_company ADD COLUMN %s double precision", SQL.identifier(column)
                )
            )
        old = dict(zip(migration.OLD_LIMITS, (15, 45, 90, 360), strict=True))
        old.update(zip(migration.OLD_RATES, (0.5, 2, 5, 10, 40, 100), strict=True))
        self.env.cr.execute(
            SQL(
                "UPDATE res_company SET %s WHERE id = %s",
                SQL(", ").join(SQL("%s = %s", SQL.identifier(k), v) for k, v in old.items()),
                self.company.id,
            )
        )
        self.company.sale_policy_aging_period_ids.unlink()
        migration.migrate(self.env.cr, "18.0.1.2.0")
        self.env.invalidate_all()
        self.assertEqual(self.company._sale_policy_aging_limits(), [15, 45, 90, 360])
        self.assertEqual(self.company._sale_policy_provision_rates(), [0.5, 2, 5, 10, 40, 100])
        self.assertEqual(self._rows("2026-06-30")[self.inv3][0], "p2", "16 days: 16–45 days")
