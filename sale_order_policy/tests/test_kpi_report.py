import base64
import io
import os
from datetime import date, datetime
from unittest.mock import patch

import openpyxl
import polib
from freezegun import freeze_time

from odoo import Command
from odoo.addons.sale_order_policy.models.sale_policy_protected_mixin import policy_privileged
from odoo.addons.sale_order_policy.reports import sale_policy_xlsx
from odoo.addons.sale_order_policy.reports.sale_policy_kpi_report import policy_score
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import file_path
from odoo.tools.misc import ReadonlyDict
from odoo.tools.translate import code_translations

from .common import SalePolicyCase


@tagged("post_install", "-at_install")
class TestKpiReport(SalePolicyCase):
    """Orders with known histories → every KPI measure, derived rate, export and e-mail."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.sale_policy_sla_hours = 24.0
        cls.rule_head = cls._make_rule("Sales Head", 10, reviewer_type="team_leader")
        cls.rule_finance = cls._make_rule(
            "Finance", 20, reviewer_user_ids=[Command.set(cls.finance.ids)], department="finance"
        )
        cls.salesman_tao = new_test_user(
            cls.env,
            "sop_salesman_tao",
            groups="base.group_user,sales_team.group_sale_salesman",
            name="Salesman Tao",
        )
        cls.other_team = cls.env["crm.team"].create(
            {
                "name": "Other Team",
                "user_id": cls.gm.id,
                "member_ids": [Command.link(cls.salesman_tao.id)],
            }
        )
        cls.sale_model = cls.env["ir.model"]._get("sale.order")
        cls._build_histories()

    # ------------------------------------------------------------------
    # Known histories
    # ------------------------------------------------------------------

    @classmethod
    def _review(cls, order, rule):
        return order.policy_review_ids.filtered(
            lambda r: r.rule_id == rule and r.review_round == order.policy_round
        )

    @classmethod
    def _approve_all(cls, order, head_at, finance_at):
        with freeze_time(head_at):
            cls._review(order, cls.rule_head).with_user(cls.sales_head).action_approve()
        with freeze_time(finance_at):
            cls._review(order, cls.rule_finance).with_user(cls.finance).action_approve()

    @classmethod
    def _deliver(cls, order, when):
        with freeze_time(when):
            picking = order.picking_ids
            for move in picking.move_ids:
                move.write({"quantity": move.product_uom_qty, "picked": True})
            picking.button_validate()
            cls.env.flush_all()

    @classmethod
    def _invoice_and_pay(cls, order, invoice_date, pay_date=None):
        with freeze_time(invoice_date):
            invoice = order._create_invoices()
            invoice.invoice_date = invoice_date
            invoice.action_post()
            cls.env.flush_all()  # milestones are stamped when computed
        if pay_date:
            with freeze_time(pay_date):
                cls.env["account.payment.register"].with_context(
                    active_model="account.move", active_ids=invoice.ids
                ).create({"payment_date": pay_date})._create_payments()
                cls.env.flush_all()
        return invoice

    @classmethod
    def _rate(cls, order, value):
        cls.env["rating.rating"].create(
            {
                "res_model_id": cls.sale_model.id,
                "res_id": order.id,
                "partner_id": cls.customer.id,
                "rating": value,
                "consumed": True,
            }
        )

    @classmethod
    def _build_histories(cls):
        # A: approved in the first round (head 2 h, finance 3 h), delivered on time,
        # invoiced and paid 14 days later, rated 5.
        with freeze_time("2026-03-02 08:00:00"):
            cls.order_a = cls._make_order(commitment_date=datetime(2026, 3, 10, 12, 0))
        with freeze_time("2026-03-02 09:00:00"):
            cls.order_a.with_user(cls.salesman).action_submit_for_review()
        cls._approve_all(cls.order_a, "2026-03-02 11:00:00", "2026-03-02 14:00:00")
        with freeze_time("2026-03-02 15:00:00"):
            cls.order_a.with_user(cls.salesman).action_confirm()
        cls._deliver(cls.order_a, "2026-03-05 10:00:00")
        cls._invoice_and_pay(cls.order_a, date(2026, 3, 6), date(2026, 3, 20))
        cls._rate(cls.order_a, 5)

        # B: rejected after 27 h (SLA breached), resubmitted and approved; delivered late,
        # invoiced, not paid; rated 3.
        with freeze_time("2026-03-03 08:00:00"):
            cls.order_b = cls._make_order(commitment_date=datetime(2026, 3, 6, 12, 0))
        with freeze_time("2026-03-03 09:00:00"):
            cls.order_b.with_user(cls.salesman).action_submit_for_review()
        head_b = cls._review(cls.order_b, cls.rule_head)
        with policy_privileged():
            # What the SLA engine records once the deadline passes.
            head_b.write({"sla_breached": True, "breached_on": datetime(2026, 3, 4, 9, 0)})
        with freeze_time("2026-03-04 12:00:00"):
            head_b.with_user(cls.sales_head).action_reject("Wrong delivery address")
        with freeze_time("2026-03-04 14:00:00"):
            cls.order_b.with_user(cls.salesman).action_submit_for_review()
        cls._approve_all(cls.order_b, "2026-03-04 15:00:00", "2026-03-04 16:00:00")
        with freeze_time("2026-03-04 17:00:00"):
            cls.order_b.with_user(cls.salesman).action_confirm()
        cls._deliver(cls.order_b, "2026-03-09 12:00:00")
        cls._invoice_and_pay(cls.order_b, date(2026, 3, 10))
        cls._rate(cls.order_b, 3)

        # C: approved first time (1 h + 1 h), then an exception raised and the quotation
        # cancelled through a cancellation request.
        with freeze_time("2026-03-10 08:00:00"):
            cls.order_c = cls._make_order(priority="1")
        with freeze_time("2026-03-10 09:00:00"):
            cls.order_c.with_user(cls.salesman).action_submit_for_review()
        cls._approve_all(cls.order_c, "2026-03-10 10:00:00", "2026-03-10 11:00:00")
        with freeze_time("2026-03-11 09:00:00"):
            cls.env["sale.policy.exception"]._policy_raise(
                cls.order_c, "customer_change", "Customer unreachable"
            )
            # The customer withdraws: cancellation request (取消申请), no rule applies.
            cls.env["sale.policy.change"].with_user(cls.salesman).create(
                {
                    "order_id": cls.order_c.id,
                    "change_type": "cancel",
                    "cancel_reason_id": cls.env.ref(
                        "sale_order_policy.cancel_reason_customer_request"
                    ).id,
                    "reason": "Project stopped",
                }
            ).action_submit()

        # D: Sue's order, approved first time (4 h + 2 h), rated 4.
        with freeze_time("2026-03-12 08:00:00"):
            cls.order_d = cls._make_order(user=cls.salesman_other)
        with freeze_time("2026-03-12 09:00:00"):
            cls.order_d.with_user(cls.salesman_other).action_submit_for_review()
        cls._approve_all(cls.order_d, "2026-03-12 13:00:00", "2026-03-12 15:00:00")
        cls._rate(cls.order_d, 4)

        # E: never submitted: not assessed. F: another team's order, pending.
        with freeze_time("2026-03-13 08:00:00"):
            cls.order_e = cls._make_order()
            cls.order_f = cls._make_order(user=cls.salesman_tao, team_id=cls.other_team.id)
            cls.order_f.with_user(cls.salesman_tao).action_submit_for_review()
        # Outside the period (April).
        with freeze_time("2026-04-02 08:00:00"):
            cls.order_g = cls._make_order()
            cls.order_g.with_user(cls.salesman).action_submit_for_review()

    def _row(self, order):
        return self.env["sale.policy.kpi.report"].search([("order_id", "=", order.id)])

    def _march(self):
        return self.env["sale.policy.kpi.report"]._policy_period_domain(
            date(2026, 3, 1), date(2026, 3, 31)
        )

    # ------------------------------------------------------------------
    # Measures per order
    # ------------------------------------------------------------------

    def test_one_row_per_submitted_order(self):
        rows = self.env["sale.policy.kpi.report"].search([])
        orders = self.order_a | self.order_b | self.order_c | self.order_d
        self.assertEqual(rows.order_id & orders, orders)
        self.assertNotIn(self.order_e, rows.order_id)
        self.assertEqual(self._row(self.order_a).order_count, 1)
        self.assertEqual(self._row(self.order_a).user_id, self.salesman)
        self.assertEqual(self._row(self.order_a).team_id, self.team)
        self.assertEqual(self._row(self.order_a).partner_id, self.customer)
        self.assertEqual(self._row(self.order_c).priority, "1")
        self.assertAlmostEqual(self._row(self.order_a).amount_total, 200.0 * 1.15, delta=30.0)
        self.assertEqual(self._row(self.order_a).amount_total, self.order_a.amount_total)

    def test_first_time_right_order(self):
        row = self._row(self.order_a)
        self.assertEqual(row.first_time_right_count, 1)
        self.assertEqual(row.review_rounds, 1)
        self.assertEqual(row.rejection_count, 0)
        self.assertEqual(row.change_count, 0)
        self.assertEqual(row.cancelled, 0)
        self.assertEqual(row.review_count, 2)
        self.assertEqual(row.sla_breach_count, 0)
        self.assertAlmostEqual(row.review_hours, 5.0, places=4)
        self.assertAlmostEqual(row.review_work_hours, 5.0, places=4)
        self.assertEqual(row.confirmed_on, datetime(2026, 3, 2, 15, 0))
        self.assertEqual(row.delivered_on, datetime(2026, 3, 5, 10, 0))
        self.assertEqual(row.delivered_count, 1)
        self.assertEqual(row.on_time_count, 1)
        self.assertAlmostEqual(row.days_to_deliver, 2 + 19 / 24, places=4)
        self.assertEqual(row.invoiced_on, datetime(2026, 3, 6))
        self.assertAlmostEqual(row.days_to_invoice, 3 + 9 / 24, places=4)
        self.assertEqual(row.paid_on, datetime(2026, 3, 20))
        self.assertAlmostEqual(row.days_to_pay, 14.0, places=4)
        self.assertEqual(row.exception_count, 0)
        self.assertEqual(row.rating_avg, 5.0)

    def test_rejected_breached_late_order(self):
        row = self._row(self.order_b)
        self.assertEqual(row.first_time_right_count, 0)
        self.assertEqual(row.review_rounds, 2)
        self.assertEqual(row.rejection_count, 1)
        self.assertEqual(row.sla_breach_count, 1)
        # Rejection + two approvals; the finance step cancelled by the rejection is no decision.
        self.assertEqual(row.review_count, 3)
        # First submission 03-03 09:00 → approval 03-04 16:00.
        self.assertAlmostEqual(row.review_hours, 31.0, places=4)
        # Tiers: 27 h (rejected) + 1 h + 1 h.
        self.assertAlmostEqual(row.review_work_hours, 29.0, places=4)
        self.assertEqual(row.delivered_count, 1)
        self.assertEqual(row.on_time_count, 0)
        self.assertAlmostEqual(row.days_to_deliver, 4 + 19 / 24, places=4)
        self.assertTrue(row.invoiced_on)
        self.assertFalse(row.paid_on)
        self.assertFalse(row.days_to_pay)
        self.assertEqual(row.rating_avg, 3.0)

    def test_changed_cancelled_order(self):
        row = self._row(self.order_c)
        self.assertEqual(row.first_time_right_count, 0, "A later change spoils first-time right.")
        self.assertEqual(row.rejection_count, 0)
        self.assertEqual(row.change_count, 1)
        self.assertEqual(row.cancelled, 1)
        self.assertEqual(row.exception_count, 1)
        self.assertEqual(row.delivered_count, 0)
        self.assertEqual(row.on_time_count, 0)
        self.assertFalse(row.rating_avg)
        self.assertAlmostEqual(row.review_hours, 2.0, places=4)

    def test_pending_order_has_no_review_time(self):
        row = self._row(self.order_f)
        self.assertFalse(row.approved_on)
        self.assertFalse(row.review_hours)
        self.assertEqual(row.first_time_right_count, 0)

    # ------------------------------------------------------------------
    # Grouped measures and derived rates
    # ------------------------------------------------------------------

    def test_pivot_read_group_salesperson_month(self):
        groups = self.env["sale.policy.kpi.report"]._read_group(
            [("team_id", "=", self.team.id)],
            ["user_id", "date_order:month"],
            ["order_count:sum", "first_time_right_count:sum", "review_work_hours:avg"],
        )
        by_key = {(user, month.date()): values for user, month, *values in groups}
        self.assertEqual(
            set(by_key),
            {
                (self.salesman, date(2026, 3, 1)),
                (self.salesman, date(2026, 4, 1)),
                (self.salesman_other, date(2026, 3, 1)),
            },
        )
        orders, first_time_right_count, work_hours = by_key[(self.salesman, date(2026, 3, 1))]
        self.assertEqual(orders, 3)
        self.assertEqual(first_time_right_count, 1)
        self.assertAlmostEqual(work_hours, (5 + 29 + 2) / 3, places=4)

    def test_scorecards_rates_and_ranking(self):
        cards = self.env["sale.policy.kpi.report"]._policy_scorecards(
            [*self._march(), ("team_id", "=", self.team.id)]
        )
        self.assertEqual([c["user"] for c in cards], [self.salesman_other, self.salesman])
        sue, sam = cards
        self.assertEqual(sam["order_count"], 3)
        self.assertEqual(sam["first_time_right_count"], 1)
        self.assertAlmostEqual(sam["accuracy"], 1 / 3)
        self.assertEqual(sam["rejection_count"], 1)
        self.assertEqual(sam["change_count"], 1)
        self.assertEqual(sam["cancelled"], 1)
        self.assertEqual(sam["review_count"], 7)
        self.assertEqual(sam["sla_breach_count"], 1)
        self.assertAlmostEqual(sam["sla_compliance"], 6 / 7)
        self.assertAlmostEqual(sam["review_hours"], (5 + 31 + 2) / 3, places=4)
        self.assertEqual(sam["delivered_count"], 2)
        self.assertEqual(sam["on_time_count"], 1)
        self.assertAlmostEqual(sam["on_time_rate"], 0.5)
        self.assertAlmostEqual(sam["dso"], 14.0, places=4)
        self.assertAlmostEqual(sam["satisfaction"], 4.0)
        self.assertEqual(sam["exception_count"], 1)
        # The speed in the score is the salesperson's own: every step of A, B and C within
        # 24 h; the reviewers' SLA (6 / 7) is theirs, on the reviewer scorecard.
        self.assertEqual(sam["handled_in_time_count"], 3)
        self.assertAlmostEqual(sam["speed"], 1.0)
        self.assertEqual(sam["score"], policy_score(1 / 3, 1.0, 4.0))
        self.assertEqual(sam["score"], round(100 * (0.4 / 3 + 0.3 * 1.0 + 0.3 * 0.8), 1))
        self.assertEqual(sam["rank"], 2)
        self.assertEqual(sue["accuracy"], 1.0)
        self.assertEqual(sue["sla_compliance"], 1.0)
        self.assertIsNone(sue["on_time_rate"])
        self.assertIsNone(sue["dso"])
        self.assertEqual(sue["score"], round(100 * (0.4 + 0.3 + 0.3 * 0.8), 1))
        self.assertEqual(sue["rank"], 1)

    def test_dashboard_scorecards_match(self):
        cards = self.env["sale.policy.kpi.scorecard"].search(
            [("team_id", "=", self.team.id), ("month", "=", date(2026, 3, 1))]
        )
        self.assertEqual(cards.mapped("user_id"), self.salesman_other | self.salesman)
        sam = cards.filtered(lambda c: c.user_id == self.salesman)
        sue = cards.filtered(lambda c: c.user_id == self.salesman_other)
        self.assertEqual(sam.order_count, 3)
        self.assertAlmostEqual(sam.accuracy, 100 / 3, places=4)
        self.assertAlmostEqual(sam.sla_compliance, 600 / 7, places=4)
        self.assertAlmostEqual(sam.on_time_rate, 50.0)
        self.assertAlmostEqual(sam.rating_avg, 4.0)
        self.assertAlmostEqual(sam.speed, 100.0)
        self.assertEqual(sam.score, policy_score(1 / 3, 1.0, 4.0))
        self.assertEqual((sue.team_rank, sam.team_rank), (1, 2))
        self.assertEqual(sam.team_size, 2)

    def test_salesperson_handling_times(self):
        row_a, row_b = self._row(self.order_a), self._row(self.order_b)
        # A: approved 14:00, confirmed 15:00; never rejected.
        self.assertFalse(row_a.resubmit_hours)
        self.assertAlmostEqual(row_a.handoff_hours, 1.0)
        # B: rejected 03-04 12:00, corrected and resubmitted at 14:00.
        self.assertAlmostEqual(row_b.resubmit_hours, 2.0)
        self.assertEqual(row_b.handled_in_time_count, 1)
        # A stated intake time counts instead of the quotation's creation.
        with freeze_time("2026-03-20 09:00:00"):
            late = self._make_order(policy_intake_on="2026-03-18 09:00:00")
            late.with_user(self.salesman).action_submit_for_review()
        row = self._row(late)
        self.assertAlmostEqual(row.intake_hours, 48.0)
        self.assertEqual(row.handled_in_time_count, 0)

    def test_customer_change_not_held_against_accuracy(self):
        with freeze_time("2026-03-16 09:00:00"):
            order = self._make_order()
            order.with_user(self.salesman).action_submit_for_review()
        self._approve_all(order, "2026-03-16 10:00:00", "2026-03-16 11:00:00")
        with freeze_time("2026-03-16 12:00:00"):
            order.with_user(self.salesman).action_confirm()
            change = (
                self.env["sale.policy.change"]
                .with_user(self.salesman)
                .create(
                    {
                        "order_id": order.id,
                        "initiated_by": "customer",
                        "reason": "客户要求增加数量",
                        "customer_confirmation_method": "written",
                    }
                )
            )
            change.line_ids.write({"new_qty": 5})
            change.action_submit()
        row = self._row(order)
        self.assertEqual((row.change_count, row.customer_change_count), (0, 1))
        self.assertEqual(row.first_time_right_count, 1, "the customer's change is not a mistake")

    def test_policy_score_without_data(self):
        self.assertEqual(policy_score(0.5, None, None), 50.0)
        self.assertEqual(policy_score(1.0, 0.5, None), round(100 * (0.4 + 0.15) / 0.7, 1))

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------

    def test_record_rules(self):
        report = self.env["sale.policy.kpi.report"]
        mine = report.with_user(self.salesman).search([])
        self.assertEqual(set(mine.user_id.ids), {self.salesman.id})
        team = report.with_user(self.sales_head).search([])
        self.assertEqual(team.user_id, self.salesman | self.salesman_other)
        self.assertNotIn(self.order_f, team.order_id)
        everything = report.with_user(self.gm).search([])
        self.assertIn(self.order_f, everything.order_id)
        cards = self.env["sale.policy.kpi.scorecard"].with_user(self.salesman_other).search([])
        self.assertEqual(cards.user_id, self.salesman_other)
        with self.assertRaises(AccessError):
            report.with_user(self.warehouse).search([])

    # ------------------------------------------------------------------
    # XLSX
    # ------------------------------------------------------------------

    def _export(self, user, lang=None, **vals):
        wizard = (
            self.env["sale.policy.kpi.export"]
            .with_user(user)
            .with_context(lang=lang or "en_US")
            .create({"date_from": date(2026, 3, 1), "date_to": date(2026, 3, 31), **vals})
        )
        return wizard, openpyxl.load_workbook(io.BytesIO(wizard._policy_xlsx()))

    def test_xlsx_summary_and_sheets(self):
        # Tiny fetch batches: every row must still come through the streamed sheets.
        with patch.object(sale_policy_xlsx, "FETCH_BATCH", 2):
            wizard, book = self._export(self.sales_head)
        self.assertEqual(
            book.sheetnames,
            [
                "Summary",
                "Order Details",
                "Reviews & SLA",
                "Exceptions",
                "Aging",
                "Rewards & Penalties",
            ],
        )
        summary = book["Summary"]
        self.assertEqual(summary.freeze_panes, "A3")
        self.assertEqual(summary.auto_filter.ref, "A2:AD4")
        headers = [c.value for c in summary[2]]
        self.assertEqual(headers[:3], ["Rank", "Salesperson", "Order Count"])
        rows = {
            r[1]: dict(zip(headers, r, strict=True)) for r in summary.iter_rows(3, values_only=True)
        }
        self.assertEqual(set(rows), {"Salesman Sam", "Salesman Sue"})
        sam = rows["Salesman Sam"]
        self.assertEqual(sam["Rank"], 2)
        self.assertEqual(sam["Order Count"], 3)
        self.assertEqual(sam["First-Time Right"], 1)
        self.assertAlmostEqual(sam["Accuracy %"], 1 / 3)
        self.assertEqual(sam["Rejections"], 1)
        self.assertEqual(sam["Changes"], 1)
        self.assertEqual(sam["SLA Breaches"], 1)
        self.assertAlmostEqual(sam["SLA Compliance %"], 6 / 7)
        self.assertAlmostEqual(sam["On-Time %"], 0.5)
        self.assertAlmostEqual(sam["DSO (Days)"], 14.0)
        self.assertAlmostEqual(sam["Satisfaction (of 5)"], 4.0)
        self.assertAlmostEqual(sam["Handled in Time %"], 1.0)
        self.assertEqual(sam["Score"], policy_score(1 / 3, 1.0, 4.0))
        self.assertIsNone(rows["Salesman Sue"]["On-Time %"])
        self.assertEqual(summary.cell(3, 6).number_format, "0.0%")

        orders = book["Order Details"]
        self.assertEqual(orders.freeze_panes, "A2")
        names = [r[0] for r in orders.iter_rows(2, values_only=True)]
        self.assertEqual(
            names, [o.name for o in (self.order_a, self.order_b, self.order_c, self.order_d)]
        )
        order_b = next(orders.iter_rows(3, 3, values_only=True))
        self.assertEqual(order_b[7], "Approved")
        self.assertEqual(order_b[12], "No", "Not first-time right")
        self.assertEqual(order_b[13], 1, "One rejection")
        self.assertEqual(order_b[16], datetime(2026, 3, 9, 12, 0))
        self.assertEqual(order_b[17], "No", "Delivered late")
        self.assertIsInstance(order_b[1], datetime)
        self.assertEqual(orders.cell(3, 2).number_format, "yyyy-mm-dd hh:mm")

        reviews = list(book["Reviews & SLA"].iter_rows(2, values_only=True))
        # A 2, B 4 (incl. the cancelled finance step of round 1), C 2, D 2.
        self.assertEqual(len(reviews), 10)
        breached = [r for r in reviews if r[-1] == "Yes"]
        self.assertEqual(len(breached), 1)
        self.assertEqual(breached[0][0], self.order_b.name)
        self.assertEqual(breached[0][4], "Rejected")
        self.assertAlmostEqual(breached[0][10], 27.0, places=4)

        exceptions = list(book["Exceptions"].iter_rows(2, values_only=True))
        self.assertEqual(len(exceptions), 1)
        self.assertEqual(exceptions[0][0], self.order_c.name)

        # Receivables aging (账龄) of the team: B's invoice is still open, A's is paid.
        aging = list(book["Aging"].iter_rows(2, values_only=True))
        self.assertEqual(len(aging), 1)
        self.assertIn(self.order_b.invoice_ids.name, aging[0])

    def test_xlsx_respects_rights_and_filters(self):
        _wizard, book = self._export(self.salesman)
        names = [r[1] for r in book["Summary"].iter_rows(3, values_only=True)]
        self.assertEqual(names, ["Salesman Sam"])
        self.assertNotIn("Aging", book.sheetnames, "Salespeople have no access to the aging")
        _wizard, book = self._export(self.gm, user_ids=[Command.set(self.salesman_tao.ids)])
        orders = [r[0] for r in book["Order Details"].iter_rows(2, values_only=True)]
        self.assertEqual(orders, [self.order_f.name])

    def _load_zh_cn(self):
        """zh_CN active with the module's code translations (the catalogue)."""
        self.env["res.lang"]._activate_lang("zh_CN")
        i18n = os.path.join(os.path.dirname(file_path("sale_order_policy/__manifest__.py")), "i18n")
        translations = {}
        translations.update(
            {
                entry.msgid: entry.msgstr
                for entry in polib.pofile(os.path.join(i18n, "zh_CN.po"))
                if entry.msgstr
            }
        )
        key = ("sale_order_policy", "zh_CN")
        previous = code_translations.python_translations.get(key)
        code_translations.python_translations[key] = ReadonlyDict(
            {**(previous or {}), **translations}
        )
        self.addCleanup(code_translations.python_translations.pop, key, None)
        if previous is not None:
            self.addCleanup(code_translations.python_translations.__setitem__, key, previous)

    def test_xlsx_headers_in_chinese(self):
        self._load_zh_cn()
        self.sales_head.lang = "zh_CN"
        _wizard, book = self._export(self.sales_head, lang="zh_CN")
        self.assertEqual(
            book.sheetnames, ["汇总", "订单明细", "审核与时效", "异常订单", "账龄", "奖惩记录"]
        )
        headers = [c.value for c in book["汇总"][2]]
        self.assertEqual(headers[:3], ["排名", "销售人员", "订单数"])
        self.assertIn("准确率 %", headers)
        self.assertIn("客户满意度（5 分制）", headers)
        order_headers = [c.value for c in book["订单明细"][1]]
        self.assertEqual(order_headers[:3], ["订单", "订单日期", "销售人员"])
        review_headers = [c.value for c in book["审核与时效"][1]]
        self.assertIn("超出审核时限", review_headers)
        rows = list(book["审核与时效"].iter_rows(2, values_only=True))
        self.assertEqual(sum(1 for r in rows if r[-1] == "是"), 1)

    def test_export_wizard_download_and_period(self):
        wizard, _book = self._export(self.sales_head)
        action = wizard.action_export_xlsx()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertIn(f"/web/content/sale.policy.kpi.export/{wizard.id}/file_data/", action["url"])
        self.assertTrue(wizard.file_name.endswith("_2026-03-01_2026-03-31.xlsx"))
        self.assertTrue(wizard.file_data)
        with self.assertRaises(ValidationError):
            wizard.write({"date_from": date(2026, 4, 1)})

    # ------------------------------------------------------------------
    # PDF and monthly e-mail
    # ------------------------------------------------------------------

    def test_pdf_assessment_per_salesperson(self):
        wizard, _book = self._export(self.sales_head)
        html, _kind = (
            self.env["ir.actions.report"]
            .with_user(self.sales_head)
            ._render_qweb_html("sale_order_policy.report_kpi_assessment", wizard.ids)
        )
        html = html.decode()
        self.assertEqual(html.count("Sales order policy assessment"), 2)
        self.assertIn("Salesman Sam", html)
        self.assertIn("<span>33.3</span> %", html)
        self.assertIn("<span>100.0</span> % handled in time", html)
        self.assertIn(
            "rejection to resubmission\n                            <span>2.0</span> h", html
        )
        self.assertIn("<span>4.0</span> / 5", html)
        self.assertIn("<span>1</span> rejections", html)
        self.assertIn(self.order_b.name, html, "Rejected order listed to discuss")
        self.assertEqual(
            wizard.action_print_pdf()["report_name"], "sale_order_policy.report_kpi_assessment"
        )

    def test_monthly_email_to_team_leaders(self):
        self.env["mail.mail"].search([]).unlink()
        self.env["crm.team"].search([("id", "not in", (self.team | self.other_team).ids)]).write(
            {"active": False}
        )
        sent = self.env["sale.policy.kpi.report"]._policy_send_assessment(
            date(2026, 3, 1), date(2026, 3, 31)
        )
        # Head Hua (Policy Team) and Manager Ma (Other Team).
        self.assertEqual(sent, 2)
        mail = self.env["mail.mail"].search(
            [("model", "=", "crm.team"), ("res_id", "=", self.team.id)]
        )
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.sales_head.partner_id)
        self.assertIn("Salesman Sam", mail.body_html)
        self.assertIn("33.3 %", mail.body_html)
        self.assertEqual(len(mail.attachment_ids), 1)
        book = openpyxl.load_workbook(io.BytesIO(mail.attachment_ids.raw))
        names = {r[1] for r in book["Summary"].iter_rows(3, values_only=True)}
        self.assertEqual(names, {"Salesman Sam", "Salesman Sue"})

        # A leader without access to the KPIs gets nothing (and stops nothing).
        self.other_team.user_id = self.warehouse
        self.assertEqual(
            self.env["sale.policy.kpi.report"]._policy_send_assessment(
                date(2026, 3, 1), date(2026, 3, 31)
            ),
            1,
        )

        self.company.sale_policy_kpi_mail = False
        self.assertEqual(
            self.env["sale.policy.kpi.report"]._policy_send_assessment(
                date(2026, 3, 1), date(2026, 3, 31)
            ),
            0,
        )

    def test_cron_covers_previous_month(self):
        self.env["crm.team"].search([("id", "not in", (self.team | self.other_team).ids)]).write(
            {"active": False}
        )
        with freeze_time("2026-04-01 02:00:00"):
            self.env["sale.policy.kpi.report"]._cron_send_assessment()
        mail = self.env["mail.mail"].search(
            [("model", "=", "crm.team"), ("res_id", "=", self.team.id)], order="id desc", limit=1
        )
        self.assertIn("2026-03-01", mail.subject)
        self.assertIn("2026-03-31", mail.subject)


@tagged("post_install", "-at_install")
class TestKpiTour(HttpCase, SalePolicyCase):
    """The dashboard and the export, clicked through in the browser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule_head = cls._make_rule("Sales Head", 10, reviewer_type="team_leader")
        cls.sales_head.write({"login": "sop_kpi_head", "password": "sop_kpi_head_pw"})
        # This month: Sue 1/1 first time right; Sam 1/2 (one order rejected once).
        sue_order = cls._make_order(user=cls.salesman_other)
        sue_order.with_user(cls.salesman_other).action_submit_for_review()
        sue_order.policy_review_ids.with_user(cls.sales_head).action_approve()
        sam_order = cls._make_order()
        sam_order.with_user(cls.salesman).action_submit_for_review()
        sam_order.policy_review_ids.with_user(cls.sales_head).action_reject("Missing address")
        sam_order.with_user(cls.salesman).action_submit_for_review()
        sam_order.policy_review_ids.filtered(lambda r: r.state == "pending").with_user(
            cls.sales_head
        ).action_approve()
        first_time = cls._make_order()
        first_time.with_user(cls.salesman).action_submit_for_review()
        first_time.policy_review_ids.with_user(cls.sales_head).action_approve()

    def test_dashboard_tour(self):
        self.start_tour("/odoo", "sale_policy_kpi_dashboard", login="sop_kpi_head")

    def test_export_tour(self):
        self.start_tour("/odoo", "sale_policy_kpi_export", login="sop_kpi_head")
        wizard = self.env["sale.policy.kpi.export"].search([], order="id desc", limit=1)
        self.assertEqual(wizard.create_uid, self.sales_head)
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.file_data)))
        names = {r[1] for r in book["Summary"].iter_rows(3, values_only=True)}
        self.assertEqual(names, {"Salesman Sam", "Salesman Sue"})
