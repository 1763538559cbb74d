import os
import re

import polib

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from .common import SalePolicyCase

I18N = os.path.join(os.path.dirname(os.path.dirname(__file__)), "i18n")
CJK = re.compile(r"[\u4e00-\u9fff]")


@tagged("post_install", "-at_install")
class TestChineseTranslation(SalePolicyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(
            ["sale_order_policy"], ["zh_CN"], overwrite=True
        )
        cls.env_zh = cls.env(context=dict(cls.env.context, lang="zh_CN"))

    def test_catalogue_is_complete(self):
        template = polib.pofile(os.path.join(I18N, "sale_order_policy.pot"))
        chinese = {e.msgid: e.msgstr for e in polib.pofile(os.path.join(I18N, "zh_CN.po"))}
        missing = [e.msgid for e in template if not chinese.get(e.msgid, "").strip()]
        self.assertFalse(missing, f"{len(missing)} messages lack a zh_CN translation")
        for msgid, msgstr in chinese.items():
            self.assertEqual(
                sorted(re.findall(r"%\(\w+\)s", msgid)),
                sorted(re.findall(r"%\(\w+\)s", msgstr)),
                f"placeholders differ in the translation of {msgid!r}",
            )

    def test_role_names_use_the_policy_terms(self):
        expected = {
            "sale_order_policy.group_finance_reviewer": "财务审核",
            "sale_order_policy.group_warehouse_reviewer": "仓储审核",
            "sale_order_policy.group_general_manager": "总经理",
            "sale_order_policy.group_policy_admin": "订单制度管理员",
        }
        for xmlid, name in expected.items():
            self.assertEqual(self.env_zh.ref(xmlid).name, name)

    def test_key_labels_are_chinese(self):
        order_fields = self.env_zh["sale.order"].fields_get(
            [
                "approval_state",
                "customer_confirmation_method",
                "intake_channel",
                "policy_review_ids",
                "policy_check_ids",
                "policy_log_ids",
            ],
            ["string", "selection"],
        )
        for name, description in order_fields.items():
            self.assertRegex(description["string"], CJK, f"sale.order.{name} label")
        for _key, label in order_fields["approval_state"]["selection"]:
            self.assertRegex(label, CJK)
        for model in (
            "sale.policy.rule",
            "sale.policy.review",
            "sale.policy.log",
            "sale.policy.check",
        ):
            record = self.env_zh["ir.model"]._get(model)
            self.assertRegex(record.name, CJK, model)
        menu = self.env_zh.ref("sale_order_policy.sale_order_policy_menu")
        self.assertRegex(menu.name, CJK)
        check = self.env_zh.ref("sale_order_policy.check_type_credit")
        self.assertRegex(check.name, CJK)

    def test_errors_speak_the_users_language(self):
        self.salesman.lang = "zh_CN"
        order = self._make_order(commitment_date=False)
        with self.assertRaises(UserError) as caught:
            order.with_user(self.salesman).with_context(lang="zh_CN").action_submit_for_review()
        self.assertRegex(caught.exception.args[0], CJK)
        self.assertNotIn("is incomplete", caught.exception.args[0])


GLOSSARY = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(__file__))), "docs", "GLOSSARY.md"
)


def _glossary_rows():
    """(english, chinese, rejected variants, enforced) rows of docs/GLOSSARY.md."""
    rows = []
    with open(GLOSSARY, encoding="utf-8") as handle:
        for line in handle:
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if len(cells) != 5 or cells[0] in ("English", "---") or set(cells[0]) == {"-"}:
                continue
            english, chinese, rejected, enforced, _source = cells
            rows.append(
                (
                    english.split(" (")[0],
                    [term.strip() for term in chinese.split("/")],
                    [term.strip() for term in rejected.split("、") if term.strip()],
                    enforced == "yes",
                )
            )
    return rows


@tagged("post_install", "-at_install")
class TestGlossary(TransactionCase):
    """zh_CN.po uses the terms of docs/GLOSSARY.md (from the policy text), and Chinese
    punctuation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rows = _glossary_rows()
        cls.catalogue = [
            (entry.msgid, entry.msgstr)
            for entry in polib.pofile(os.path.join(I18N, "zh_CN.po"))
            if entry.msgstr
        ]

    def test_glossary_is_read(self):
        terms = {english: chinese for english, chinese, _rejected, _enforced in self.rows}
        self.assertEqual(terms["salesperson"], ["销售人员"])
        self.assertEqual(terms["delivery date"], ["交货日期"])
        self.assertEqual(terms["Under Review"], ["审核中"])
        self.assertGreater(len(self.rows), 20)

    def test_rejected_variants_never_appear(self):
        offenders = [
            f"{variant!r} in {msgstr!r} ({msgid!r})"
            for _english, _chinese, rejected, _enforced in self.rows
            for variant in rejected
            for msgid, msgstr in self.catalogue
            if variant in msgstr
        ]
        self.assertFalse(offenders, "\n".join(offenders))

    def test_enforced_terms_are_used(self):
        offenders = []
        for english, chinese, _rejected, enforced in self.rows:
            if not enforced:
                continue
            pattern = re.compile(rf"\b{re.escape(english)}", re.IGNORECASE)
            for msgid, msgstr in self.catalogue:
                # Sample values of a template's placeholders are not translated.
                text = re.sub(r"<t [^>]*>[^<]*</t>", "", msgid)
                if pattern.search(text) and not any(term in msgstr for term in chinese):
                    offenders.append(f"{english} → {chinese}: {msgid!r} => {msgstr!r}")
        self.assertFalse(offenders, "\n".join(offenders))

    def test_chinese_punctuation(self):
        cjk = "\u4e00-\u9fff"
        wrong = re.compile(rf"[{cjk}][,;:?!(]|[,;)][{cjk}]|[，。：；！？、]" r"[ \t]+(?=\S)")
        offenders = [
            f"{msgid!r} => {msgstr!r}"
            for msgid, msgstr in self.catalogue
            if wrong.search(re.sub(r"<[^>]*>|%\(\w+\)s|\{\{.*?\}\}", "X", msgstr))
        ]
        self.assertFalse(offenders, "\n".join(offenders))

    def test_stock_shortage_numbers_read_well(self):
        (msgstr,) = [
            msgstr for msgid, msgstr in self.catalogue if msgid.startswith("- %(product)s: needed")
        ]
        self.assertEqual(
            msgstr, "- %(product)s：需要 %(needed)s，可用 %(available)s，缺少 %(missing)s"
        )
