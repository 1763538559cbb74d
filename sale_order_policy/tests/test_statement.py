import io
import os
import re

from freezegun import freeze_time
from openpyxl import load_workbook
from PyPDF2 import PdfReader

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from . import test_report_pdf
from .common import SalePolicyHttpCase
from .common_settlement import SalePolicySettlementCase


class StatementFixtures:
    """A customer whose March 2026 is known by hand.

    Before March: invoice 1,000 (due 10 Feb), paid 400 on 20 Feb → opening 600.
    March: invoice 2,000 (S-order, due 4 Apr), invoice 500 (due 10 Mar), credit note 300
    (left open), payment 1,200 on the 2,000 invoice. After March: invoice 700, and the rest
    of the first invoice paid on 10 Apr (neither counts).
    Closing = 600 + 2,000 + 500 − 300 − 1,200 = 1,600.
    Aging at 31 Mar: 800 not due, 500 at 21 days, 600 at 49 days, −300 unapplied.
    """

    # The settlement fixtures' helpers, shared with the HTTP tests below.
    _make_invoice = SalePolicySettlementCase.__dict__["_make_invoice"]
    _pay = SalePolicySettlementCase.__dict__["_pay"]

    @classmethod
    def _setup_statement_fixtures(cls):
        cls.income_account = cls.env["account.account"].search(
            [("company_ids", "in", cls.company.id), ("account_type", "=", "income")], limit=1
        )
        cls.customer.write({"is_company": True, "user_id": cls.salesman.id, "lang": "en_US"})
        cls.order = cls._make_order()
        cls.inv0 = cls._make_invoice(cls.customer, 1000.0, "2026-02-10")
        cls._pay(cls.inv0, 400.0, "2026-02-20")
        cls.inv1 = cls._make_invoice(
            cls.customer, 2000.0, "2026-03-05", due="2026-04-04", post=False
        )
        cls.inv1.invoice_line_ids.sale_line_ids = [Command.set(cls.order.order_line.ids)]
        cls.inv1.action_post()
        cls.inv2 = cls._make_invoice(cls.customer, 500.0, "2026-03-10")
        cls.refund = cls._make_invoice(cls.customer, 300.0, "2026-03-15", move_type="out_refund")
        cls.payment = cls._pay(cls.inv1, 1200.0, "2026-03-20")
        cls._make_invoice(cls.customer, 700.0, "2026-04-05")
        cls._pay(cls.inv0, 600.0, "2026-04-10")

    def _issue(self, partner=None, date_from="2026-03-01", date_to="2026-03-31", user=None):
        return (
            self.env["sale.policy.statement"]
            .with_user(user or self.finance)
            .create(
                {
                    "partner_id": (partner or self.customer).id,
                    "date_from": date_from,
                    "date_to": date_to,
                }
            )
            .with_env(self.env)
        )


@tagged("post_install", "-at_install")
class TestStatement(StatementFixtures, SalePolicySettlementCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_statement_fixtures()
        cls.finance.groups_id = [Command.link(cls.env.ref("account.group_account_invoice").id)]

    def test_closing_balance_matches_the_hand_figures(self):
        statement = self._issue()
        self.assertRegex(statement.name, r"^DZ/2026/\d{4}$")
        self.assertEqual(statement.user_id, self.salesman)
        self.assertEqual(statement.opening_balance, 600.0)
        self.assertEqual(statement.total_invoiced, 2500.0)
        self.assertEqual(statement.total_refunded, 300.0)
        self.assertEqual(statement.total_paid, 1200.0)
        self.assertEqual(statement.closing_balance, 1600.0)
        self.assertEqual(
            statement.closing_balance,
            statement.opening_balance
            + statement.total_invoiced
            - statement.total_refunded
            - statement.total_paid,
        )
        lines = statement.line_ids
        self.assertEqual(lines.mapped("kind"), ["invoice", "invoice", "refund", "payment"])
        self.assertEqual(lines.mapped("debit"), [2000.0, 500.0, 0.0, 0.0])
        self.assertEqual(lines.mapped("credit"), [0.0, 0.0, 300.0, 1200.0])
        self.assertEqual(lines.mapped("balance"), [2600.0, 3100.0, 2800.0, 1600.0])
        self.assertEqual(lines[0].document, self.inv1.name)
        # The invoice names its order; the payment, the order of the invoice it paid.
        self.assertEqual(lines[0].order_refs, self.order.name)
        self.assertEqual(lines[3].order_refs, self.order.name)
        self.assertFalse(lines[1].order_refs)
        # Aging at the period's end: later payments do not count.
        self.assertEqual(statement.aging_limits, "30,60,90")
        self.assertEqual(statement.aging_current, 800.0)
        self.assertEqual(statement.aging_1, 500.0)
        self.assertEqual(statement.aging_2, 600.0)
        self.assertEqual(statement.aging_3, 0.0)
        self.assertEqual(statement.aging_4, 0.0)
        self.assertEqual(statement.unapplied_credit, -300.0)

    def test_figures_are_frozen_once_sent(self):
        statement = self._issue()
        with self.assertRaisesRegex(UserError, "come from the journal items"):
            statement.write({"closing_balance": 1.0})
        statement.action_send()
        self.assertEqual(statement.state, "sent")
        # The attachment went with the e-mail, in the chatter.
        sent = statement.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertEqual(len(sent), 1)
        self.assertTrue(sent.attachment_ids)
        self.assertIn(self.customer, sent.partner_ids)
        for vals in ({"date_to": "2026-03-30"}, {"partner_id": self.customer_b.id}):
            with self.assertRaisesRegex(UserError, "its figures are frozen"):
                statement.sudo().write(vals)
        with self.assertRaisesRegex(UserError, "its figures are frozen"):
            statement.line_ids[0].sudo().write({"debit": 1.0})
        with self.assertRaisesRegex(UserError, "its figures are frozen"):
            statement.action_refresh()
        with self.assertRaisesRegex(UserError, "changes only with its buttons"):
            statement.write({"state": "confirmed"})
        with self.assertRaisesRegex(UserError, "Only draft statements can be deleted"):
            statement.unlink()
        # A later payment does not change it; regenerating issues a new one.
        self._pay(self.inv2, 500.0, "2026-03-25")
        self.assertEqual(statement.closing_balance, 1600.0)
        with self.assertRaisesRegex(UserError, "already covers"):
            self._issue()
        new = self.env["sale.policy.statement"].browse(
            statement.with_user(self.finance).action_regenerate()["res_id"]
        )
        self.assertEqual(statement.state, "cancel")
        self.assertEqual(new.closing_balance, 1100.0)
        self.assertEqual(new.state, "draft")

    def test_xlsx_lists_the_lines_and_totals(self):
        statement = self._issue()
        content = self.env["sale.policy.statement.xlsx"]._policy_generate(statement)
        sheet = load_workbook(io.BytesIO(content)).active
        values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell]
        self.assertIn(self.inv1.name, values)
        self.assertIn("Closing Balance", values)
        self.assertIn(1600.0, values)

    def test_monthly_job_issues_once_to_customers_with_activity(self):
        idle = self.env["res.partner"].create({"name": "Idle Co", "email": "idle@example.com"})
        self._make_invoice(idle, 100.0, "2026-02-01")
        no_email = self.env["res.partner"].create({"name": "No Mail Co"})
        self._make_invoice(no_email, 100.0, "2026-03-03")
        self.company.sale_policy_statement_auto = True
        Statement = self.env["sale.policy.statement"]
        with freeze_time("2026-04-01 03:00:00"):
            Statement._cron_send_statements()
            Statement._cron_send_statements()
        statements = Statement.search([("date_from", "=", "2026-03-01"), ("auto", "=", True)])
        self.assertEqual(statements.filtered(lambda s: s.partner_id == idle), Statement)
        mine = statements.filtered(lambda s: s.partner_id == self.customer)
        self.assertEqual(len(mine), 1)
        self.assertEqual(mine.state, "sent")
        self.assertEqual(mine.closing_balance, 1600.0)
        self.assertEqual(len(mine.message_ids.filtered(lambda m: m.message_type == "comment")), 1)
        # Without an e-mail address: issued, left in draft for someone to deliver it.
        self.assertEqual(statements.filtered(lambda s: s.partner_id == no_email).state, "draft")

    def test_figures_are_set_based(self):
        """Issuing for more customers costs no more queries per customer."""
        Statement = self.env["sale.policy.statement"]
        for index in range(6):
            partner = self.env["res.partner"].create({"name": f"Bulk {index}"})
            self._make_invoice(partner, 100.0 + index, "2026-03-02")
        self.env.flush_all()
        with self.assertQueryCount(__system__=8):
            figures = Statement._policy_figures(
                self.company, self._date("2026-03-01"), self._date("2026-03-31"), active_only=True
            )
        self.assertGreaterEqual(len(figures), 7)
        self.assertEqual(figures[self.customer.id]["closing"], 1600.0)


@tagged("post_install", "-at_install")
class TestStatementPortal(StatementFixtures, SalePolicyHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_statement_fixtures()
        cls.finance.groups_id = [Command.link(cls.env.ref("account.group_account_invoice").id)]
        cls.portal_user = new_test_user(
            cls.env, "sop_stmt_portal", groups="base.group_portal", name="Buyer Bai"
        )
        cls.portal_user.partner_id.parent_id = cls.customer
        cls.other = cls.env["res.partner"].create(
            {"name": "Other Buyer Ltd", "email": "other@example.com", "is_company": True}
        )
        cls._make_invoice(cls.other, 900.0, "2026-03-08")

    def _sent(self, partner=None, **period):
        statement = self._issue(partner=partner, **period)
        statement.action_send()
        return statement

    def _answer(self, statement, answer, note, csrf=None):
        if not csrf:
            page = self.url_open(statement.access_url)
            self.assertEqual(page.status_code, 200)
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        return self.url_open(
            f"/my/statements/{statement.id}/answer",
            data={"answer": answer, "note": note, "csrf_token": csrf},
        )

    def test_portal_confirm_once(self):
        statement = self._sent()
        self.authenticate(self.portal_user.login, self.portal_user.login)
        page = self.url_open(statement.access_url)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = self._answer(statement, "confirm", "Matches our ledger", csrf=csrf)
        self.assertIn("you confirmed this statement", response.text)
        self.assertEqual(statement.state, "confirmed")
        self.assertEqual(statement.responded_by_id, self.portal_user.partner_id)
        note = statement.message_ids.filtered(lambda m: "Matches our ledger" in (m.body or ""))
        self.assertEqual(note.author_id, self.portal_user.partner_id)
        # Confirmed is final: no more answer buttons, and a dispute posted anyway is refused.
        self.assertNotIn("o_statement_dispute", self.url_open(statement.access_url).text)
        response = self._answer(statement, "dispute", "Changed my mind", csrf=csrf)
        self.assertIn("can be confirmed or disputed only once", response.text)
        self.assertEqual(statement.state, "confirmed")
        self.assertFalse(statement.exception_id)

    def test_portal_dispute_raises_an_exception_for_the_salesperson(self):
        statement = self._sent()
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self._answer(statement, "dispute", "Invoice INV/2 was already paid")
        self.assertIn("your salesperson will contact you", response.text)
        self.assertEqual(statement.state, "disputed")
        exception = statement.exception_id
        self.assertEqual(exception.code, "statement_dispute")
        self.assertEqual(exception.order_id, self.order)
        self.assertEqual(exception.user_id, self.salesman)
        self.assertIn("Invoice INV/2 was already paid", exception.description)
        self.assertIn(statement.name, exception.description)
        self.assertTrue(
            statement.message_ids.filtered(
                lambda m: "Invoice INV/2 was already paid" in (m.body or "")
            )
        )

    def test_portal_user_sees_only_its_own_statements(self):
        own = self._sent()
        other = self._sent(partner=self.other)
        self.assertEqual(
            self.env["sale.policy.statement"].with_user(self.portal_user).search([]), own
        )
        with self.assertRaises(AccessError):
            other.with_user(self.portal_user).read(["closing_balance"])
        self.authenticate(self.portal_user.login, self.portal_user.login)
        page = self.url_open(other.access_url)
        self.assertNotIn(other.name, page.text)
        self.assertFalse(page.url.endswith(other.access_url))
        listing = self.url_open("/my/statements")
        self.assertIn(own.name, listing.text)
        self.assertNotIn(other.name, listing.text)
        # A draft is not shown, even to its customer.
        draft = self._issue(date_from="2026-02-01", date_to="2026-02-28")
        portal_statements = self.env["sale.policy.statement"].with_user(self.portal_user)
        self.assertNotIn(draft, portal_statements.search([]))

    def test_xlsx_download(self):
        own = self._sent()
        other = self._sent(partner=self.other)
        self.authenticate(self.finance.login, self.finance.login)
        response = self.url_open(f"/sale_order_policy/statement/{own.id}/xlsx")
        self.assertEqual(response.status_code, 200)
        self.assertIn("spreadsheetml", response.headers["Content-Type"])
        sheet = load_workbook(io.BytesIO(response.content)).active
        self.assertIn(own.name, [cell for row in sheet.iter_rows(values_only=True) for cell in row])
        # Another customer's statement is refused to a portal user.
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self.url_open(f"/sale_order_policy/statement/{other.id}/xlsx")
        self.assertNotEqual(response.status_code, 200)

    def test_tour_customer_confirms_from_the_link(self):
        statement = self._sent()
        self.start_tour(
            statement.get_portal_url(), "sale_policy_statement_tour", login=self.portal_user.login
        )
        self.assertEqual(statement.state, "confirmed")


@tagged("post_install", "-at_install")
class TestStatementPdf(StatementFixtures, SalePolicyHttpCase):
    """The statement as the customer prints it: a real zh_CN PDF (see test_report_pdf)."""

    # How the other PDFs of the module are read (fonts, text as a reader copies it).
    _font_names = test_report_pdf.TestReportPdf._font_names
    _text = test_report_pdf.TestReportPdf._text
    assertChinesePdf = test_report_pdf.TestReportPdf.assertChinesePdf

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(
            ["sale_order_policy"], ["zh_CN"], overwrite=True
        )
        cls._setup_statement_fixtures()
        cls.customer.lang = "zh_CN"
        cls.finance.groups_id = [Command.link(cls.env.ref("account.group_account_invoice").id)]

    def test_statement_pdf_in_chinese(self):
        statement = self._issue()
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_user(self.finance)
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(
                "sale_order_policy.action_report_sale_policy_statement", statement.ids
            )
        )
        self.assertEqual(kind, "pdf")
        if os.environ.get("SOP_STATEMENT_PDF"):
            # To look at it: SOP_STATEMENT_PDF=/tmp/statement.pdf, then pdftoppm -png.
            with open(os.environ["SOP_STATEMENT_PDF"], "wb") as out:
                out.write(pdf)
        reader = PdfReader(io.BytesIO(pdf))
        self.assertChinesePdf(reader)
        text = self._text(reader)
        for expected in ("对账单", "上海客户有限公司", "期初余额", "期末余额", "账龄", "盖章"):
            self.assertIn(expected, text)
