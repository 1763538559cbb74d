from odoo import Command, fields

from .common import SalePolicyCase


class SalePolicySettlementCase(SalePolicyCase):
    """Invoices, credit notes and payments with explicit dates, amounts and currencies."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer_b = cls.env["res.partner"].create(
            {"name": "Hamburg Trading GmbH", "email": "ap@hamburg.example.com", "lang": "en_US"}
        )
        cls.eur = cls.env.ref("base.EUR")
        cls.eur.active = True
        cls.income_account = cls.env["account.account"].search(
            [
                ("company_ids", "in", cls.company.id),
                ("account_type", "=", "income"),
            ],
            limit=1,
        )

    @classmethod
    def _set_rate(cls, currency, date, rate):
        """`rate` units of `currency` for one unit of the company currency."""
        cls.env["res.currency.rate"].create(
            {"currency_id": currency.id, "name": date, "rate": rate, "company_id": cls.company.id}
        )

    @classmethod
    def _make_invoice(
        cls, partner, amount, date, due=None, currency=None, move_type="out_invoice", post=True
    ):
        move = cls.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": partner.id,
                "invoice_date": date,
                "date": date,
                "invoice_payment_term_id": False,
                "invoice_date_due": due or date,
                "currency_id": (currency or cls.company.currency_id).id,
                "invoice_user_id": cls.salesman.id,
                "team_id": cls.team.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Steel valves",
                            "quantity": 1,
                            "price_unit": amount,
                            "account_id": cls.income_account.id,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        if post:
            move.action_post()
        return move

    @classmethod
    def _pay(cls, invoice, amount, date, currency=None):
        wizard = (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(
                {
                    "amount": amount,
                    "payment_date": date,
                    "currency_id": (currency or invoice.currency_id).id,
                    "payment_difference_handling": "open",
                }
            )
        )
        return wizard._create_payments()

    @staticmethod
    def _receivable(moves):
        return moves.line_ids.filtered(lambda line: line.account_type == "asset_receivable")

    @staticmethod
    def _date(value):
        return fields.Date.to_date(value)
