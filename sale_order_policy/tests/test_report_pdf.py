import io
import unicodedata
from datetime import timedelta

from PyPDF2 import PdfReader

from odoo import Command
from odoo.addons.base.models import ir_actions_report
from odoo.tests import tagged

from .common import SalePolicyHttpCase


@tagged("post_install", "-at_install")
class TestReportPdf(SalePolicyHttpCase):
    """The approval sheet (审批单) and the assessment (考核表) as real zh_CN PDFs.

    An HttpCase because wkhtmltopdf loads the report stylesheet from Odoo's HTTP server, the
    way it does when a user prints; Odoo renders HTML instead of PDF in tests unless asked
    (`force_report_rendering`).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(
            ["sale_order_policy"], ["zh_CN"], overwrite=True
        )
        (cls.salesman | cls.sales_head).lang = "zh_CN"
        cls.salesman.name = "李明"
        cls.sales_head.name = "王华"
        cls.rule = cls._make_rule(
            "销售主管审核", 10, reviewer_user_ids=[Command.set(cls.sales_head.ids)]
        )
        cls.order = cls._make_order()
        # As from the web client: the check messages are written in the salesperson's language.
        zh = {"lang": "zh_CN"}
        cls.order.with_user(cls.salesman).with_context(**zh).action_submit_for_review()
        cls.order.policy_review_ids.with_user(cls.sales_head).with_context(**zh).action_approve(
            "同意，按期发货"
        )

    def _render(self, user, report_ref, res_ids):
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_user(user)
            .with_context(lang="zh_CN", force_report_rendering=True)
            ._render_qweb_pdf(report_ref, res_ids)
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF-"), "wkhtmltopdf made a PDF, not HTML")
        return PdfReader(io.BytesIO(pdf))

    def _font_names(self, reader):
        names = set()
        for page in reader.pages:
            fonts = page["/Resources"].get("/Font") or {}
            for font in fonts.get_object().values():
                names.add(str(font.get_object().get("/BaseFont")))
        return names

    def _text(self, reader):
        """The text a reader copies from the PDF, without white space (lines break anywhere).

        Only Chinese is compared: Latin text is set in the company's web font (Lato), which
        Debian's wkhtmltopdf (unpatched Qt) draws as outlines, not as text.

        Qt maps each glyph back to the lowest code point that draws it, and Noto CJK draws
        some ideographs with the glyph of a radical: 一 copies as ⼀ (U+2F00), 户 as ⼾,
        见 as ⻅. Those are folded back here.
        """
        text = "".join("".join(page.extract_text() for page in reader.pages).split())
        text = text.translate(str.maketrans({"⼾": "户", "⻅": "见"}))
        return "".join(
            unicodedata.normalize("NFKC", char) if "\u2f00" <= char <= "\u2fdf" else char
            for char in text
        )

    def assertChinesePdf(self, reader):
        fonts = self._font_names(reader)
        self.assertTrue(
            any("NotoSansCJKsc" in name for name in fonts),
            f"Chinese set in Noto Sans CJK SC, fonts embedded: {sorted(fonts)}",
        )
        self.assertFalse(
            [name for name in fonts if "CJKjp" in name],
            "no ideograph falls back to the Japanese face of Noto CJK",
        )

    def test_wkhtmltopdf_found(self):
        self.assertEqual(ir_actions_report.wkhtmltopdf_state, "ok")
        self.assertEqual(self.env["ir.actions.report"].get_wkhtmltopdf_state(), "ok")

    def test_approval_sheet_pdf_in_chinese(self):
        self.assertEqual(self.order.approval_state, "approved")
        reader = self._render(
            self.salesman, "sale_order_policy.action_report_approval_sheet", self.order.ids
        )
        self.assertChinesePdf(reader)
        text = self._text(reader)
        for expected in (
            "销售订单审批单",  # title
            "上海客户有限公司",  # customer
            "审批意见",  # opinions section
            "销售主管审核",  # approval step
            "信用占用未超出信用额度",  # the credit check's message, in the submitter's language
            "已批准",  # the step's decision
            "王华",  # by
            "同意，按期发货",  # the opinion
            "李明",  # salesperson
        ):
            self.assertIn(expected, text)

    def test_assessment_pdf_in_chinese(self):
        day = self.order.date_order.date()
        wizard = (
            self.env["sale.policy.kpi.export"]
            .with_user(self.sales_head)
            .create({"date_from": day - timedelta(days=1), "date_to": day + timedelta(days=1)})
        )
        reader = self._render(
            self.sales_head, "sale_order_policy.action_report_kpi_assessment", wizard.ids
        )
        self.assertEqual(len(reader.pages), 1, "one page per salesperson")
        self.assertChinesePdf(reader)
        text = self._text(reader)
        for expected in (
            "销售订单制度考核表",  # title
            "李明",  # salesperson
            "订单准确性",  # the three KPIs
            "处理速度",
            "按时处理",  # the salesperson's own speed
            "客户满意度",
            "张一次通过",  # first-time right, in the assessment's wording
        ):
            self.assertIn(expected, text)
