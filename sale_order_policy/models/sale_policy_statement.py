import logging
import threading
from collections import defaultdict

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from .sale_policy_protected_mixin import (
    is_policy_privileged,
    policy_engine_defaults,
    policy_privileged,
)

_logger = logging.getLogger(__name__)

STATEMENT_STATES = [
    ("draft", "Draft"),
    ("sent", "Sent"),
    ("confirmed", "Confirmed"),
    ("disputed", "Disputed"),
    ("cancel", "Cancelled"),
]
# The frozen copy: computed from the journal items when the statement is issued, never
# edited by hand, and never changed at all once the statement has left draft.
COMPUTED_FIELDS = frozenset(
    {
        "opening_balance",
        "total_invoiced",
        "total_refunded",
        "total_paid",
        "total_other",
        "closing_balance",
        "aging_current",
        "aging_1",
        "aging_2",
        "aging_3",
        "aging_4",
        "unapplied_credit",
        "aging_limits",
        "issued_on",
        "line_ids",
    }
)
FIGURE_FIELDS = COMPUTED_FIELDS | {
    "partner_id",
    "company_id",
    "currency_id",
    "date_from",
    "date_to",
    "name",
}
# Changed only by the buttons and the customer's answer on the portal.
ENGINE_FIELDS = frozenset(
    {
        "state",
        "auto",
        "sent_on",
        "response_note",
        "responded_on",
        "responded_by_id",
        "exception_id",
        "user_id",
    }
)
# Line kinds by journal entry: invoices, credit notes, payments; the rest is "other".
MOVE_KINDS = {"out_invoice": "invoice", "out_receipt": "invoice", "out_refund": "refund"}
# The line columns inserted in bulk by the monthly run, with their SQL types.
LINE_COLUMNS = {
    "company_id": "int",
    "currency_id": "int",
    "sequence": "int",
    "date": "date",
    "kind": "varchar",
    "move_id": "int",
    "document": "varchar",
    "description": "varchar",
    "order_refs": "varchar",
    "date_due": "date",
    "debit": "numeric",
    "credit": "numeric",
    "balance": "numeric",
}
# Statements sent per transaction by the monthly job (each one renders a PDF).
SEND_BATCH_SIZE = 50


class SalePolicyStatement(models.Model):
    """Statement of account (对账单): a customer's receivable figures for a period, frozen
    when issued, sent by e-mail and confirmed or disputed by the customer on the portal."""

    _name = "sale.policy.statement"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _description = "Statement of Account"
    _order = "date_to desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "partner_id"]

    name = fields.Char(default="/", required=True, readonly=True, copy=False, index="trigram")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        check_company=True,
        domain="[('is_company', '=', True)]",
        tracking=True,
    )
    user_id = fields.Many2one(
        "res.users", string="Salesperson", index=True, readonly=True, check_company=True
    )
    date_from = fields.Date(string="From", required=True, tracking=True)
    date_to = fields.Date(string="To", required=True, index=True, tracking=True)
    state = fields.Selection(
        STATEMENT_STATES,
        required=True,
        default="draft",
        readonly=True,
        index=True,
        copy=False,
        tracking=True,
    )
    auto = fields.Boolean(
        string="Monthly Run", readonly=True, help="Issued by the monthly statement job."
    )
    currency_id = fields.Many2one(
        "res.currency", required=True, readonly=True, help="The company's currency when issued."
    )
    opening_balance = fields.Monetary(readonly=True, help="Receivable balance before the period.")
    total_invoiced = fields.Monetary(string="Invoiced", readonly=True)
    total_refunded = fields.Monetary(string="Credit Notes", readonly=True)
    total_paid = fields.Monetary(string="Payments", readonly=True)
    total_other = fields.Monetary(
        string="Other Entries", readonly=True, help="Write-offs, exchange differences..."
    )
    closing_balance = fields.Monetary(readonly=True, help="Receivable balance at the period's end.")
    aging_current = fields.Monetary(string="Not Due", readonly=True)
    aging_1 = fields.Monetary(string="Aging Period 1", readonly=True)
    aging_2 = fields.Monetary(string="Aging Period 2", readonly=True)
    aging_3 = fields.Monetary(string="Aging Period 3", readonly=True)
    aging_4 = fields.Monetary(string="Aging Period 4", readonly=True)
    unapplied_credit = fields.Monetary(
        string="Unapplied Credits",
        readonly=True,
        help="Payments and credit notes not yet matched with an invoice at the period's end.",
    )
    aging_limits = fields.Char(readonly=True, help="Aging period limits (days) when issued.")
    issued_on = fields.Datetime(string="Figures as of", readonly=True)
    line_ids = fields.One2many("sale.policy.statement.line", "statement_id", string="Lines")
    sent_on = fields.Datetime(readonly=True, copy=False)
    response_note = fields.Text(string="Customer's Note", readonly=True, copy=False)
    responded_on = fields.Datetime(string="Answered on", readonly=True, copy=False)
    responded_by_id = fields.Many2one(
        "res.partner", string="Answered by", readonly=True, copy=False
    )
    exception_id = fields.Many2one(
        "sale.policy.exception", string="Dispute Exception", readonly=True, copy=False
    )

    _sql_constraints = [
        ("period_check", "CHECK(date_from <= date_to)", "A period cannot end before it starts."),
    ]

    def init(self):
        # One live statement per customer and period: cancel it to issue another.
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS sale_policy_statement_period_unique "
                "ON sale_policy_statement (company_id, partner_id, date_from, date_to) "
                "WHERE state != 'cancel'"
            )
        )

    def _compute_access_url(self):
        for statement in self:
            statement.access_url = f"/my/statements/{statement.id}"

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model
    def default_get(self, fields_list):
        return policy_engine_defaults(self, super().default_get(fields_list), ENGINE_FIELDS)

    @api.model_create_multi
    def create(self, vals_list):
        if not is_policy_privileged():
            # By hand (form, RPC): only the customer and the period; the figures are computed.
            keep = {"partner_id", "company_id", "date_from", "date_to"}
            vals_list = [{k: v for k, v in vals.items() if k in keep} for vals in vals_list]
        for vals in vals_list:
            vals.setdefault("company_id", self.env.company.id)
            company = self.env["res.company"].browse(vals["company_id"])
            vals.setdefault("currency_id", company.currency_id.id)
        if not is_policy_privileged():
            self._policy_check_unique(vals_list)
        self._policy_assign_names(vals_list)
        statements = super().create(vals_list)
        if not is_policy_privileged():
            statements._policy_refresh()
        return statements

    def write(self, vals):
        if not is_policy_privileged():
            if ENGINE_FIELDS & set(vals):
                raise UserError(
                    self.env._(
                        "The state of a statement changes only with its buttons (Send, "
                        "Cancel) and the customer's answer on the portal."
                    )
                )
            if COMPUTED_FIELDS & set(vals):
                raise UserError(
                    self.env._(
                        "The figures of a statement come from the journal items; use "
                        "Recompute on a draft statement."
                    )
                )
        if FIGURE_FIELDS & set(vals):
            self._policy_check_draft()
        result = super().write(vals)
        if not is_policy_privileged() and {"partner_id", "date_from", "date_to"} & set(vals):
            self._policy_refresh()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_issued(self):
        if any(statement.state != "draft" for statement in self):
            raise UserError(
                self.env._("Only draft statements can be deleted; cancel a sent statement.")
            )

    # ------------------------------------------------------------------
    # Guards
    # ------------------------------------------------------------------

    def _policy_check_draft(self):
        for statement in self:
            if statement.state != "draft":
                raise UserError(
                    self.env._(
                        "Statement %(name)s was issued to %(partner)s: its figures are frozen. "
                        "Cancel it and issue a new one (Regenerate).",
                        name=statement.name,
                        partner=statement.partner_id.display_name,
                    )
                )

    @api.model
    def _policy_check_unique(self, vals_list):
        for vals in vals_list:
            existing = self.sudo().search(
                [
                    ("company_id", "=", vals.get("company_id")),
                    ("partner_id", "=", vals.get("partner_id")),
                    ("date_from", "=", vals.get("date_from")),
                    ("date_to", "=", vals.get("date_to")),
                    ("state", "!=", "cancel"),
                ],
                limit=1,
            )
            if existing:
                raise ValidationError(
                    self.env._(
                        "Statement %(name)s already covers %(partner)s for this period; cancel "
                        "it to issue a new one.",
                        name=existing.name,
                        partner=existing.partner_id.display_name,
                    )
                )

    @api.model
    def _policy_assign_names(self, vals_list):
        """DZ/2026/0001 from the company's sequence, dated by the period's end."""
        by_company = defaultdict(list)
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                by_company[vals["company_id"]].append(vals)
        for company_id, company_vals in by_company.items():
            sequence = (
                self.env["ir.sequence"]
                .sudo()
                .with_company(company_id)
                .search(
                    [
                        ("code", "=", "sale.policy.statement"),
                        ("company_id", "in", [company_id, False]),
                    ],
                    order="company_id",
                    limit=1,
                )
            )
            today = fields.Date.context_today(self)
            dates = [vals.get("date_to") or today for vals in company_vals]
            names = self._policy_next_names(sequence, dates)
            for vals, name in zip(company_vals, names, strict=True):
                vals["name"] = name

    @api.model
    def _policy_next_names(self, sequence, dates):
        """One name per date; the numbers of a standard sequence in one query."""
        if not sequence:
            return ["/"] * len(dates)
        if sequence.implementation != "standard" or sequence.use_date_range:
            return [sequence.with_context(ir_sequence_date=date)._next() for date in dates]
        self.env.cr.execute(
            SQL(
                "SELECT nextval(%s) FROM generate_series(1, %s)",
                f"ir_sequence_{sequence.id:03d}",
                len(dates),
            )
        )
        numbers = sorted(row[0] for row in self.env.cr.fetchall())
        return [
            sequence.with_context(ir_sequence_date=date).get_next_char(number)
            for date, number in zip(dates, numbers, strict=True)
        ]

    def _policy_check_can_answer(self):
        for statement in self:
            if statement.state != "sent":
                raise UserError(
                    self.env._(
                        "Statement %(name)s was already answered or withdrawn (%(state)s): "
                        "it can be confirmed or disputed only once.",
                        name=statement.name,
                        state=dict(self._fields["state"]._description_selection(self.env)).get(
                            statement.state
                        ),
                    )
                )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_refresh(self):
        self._policy_check_draft()
        self._policy_refresh()
        return True

    def action_send(self):
        self._policy_send(raise_without_email=True)
        return True

    def action_cancel(self):
        if any(statement.state in ("confirmed", "cancel") for statement in self):
            raise UserError(self.env._("A confirmed or cancelled statement cannot be cancelled."))
        with policy_privileged():
            self.write({"state": "cancel"})
        return True

    def action_regenerate(self):
        """Cancel this statement and issue a new draft for the same customer and period."""
        self.ensure_one()
        self.action_cancel()
        new = self.create(
            {
                "company_id": self.company_id.id,
                "partner_id": self.partner_id.id,
                "date_from": self.date_from,
                "date_to": self.date_to,
            }
        )
        self.message_post(
            body=self.env._("Replaced by %(name)s.", name=new.name), subtype_xmlid="mail.mt_note"
        )
        return new._get_records_action(name=self.env._("Statement"))

    def action_print(self):
        return self.env.ref("sale_order_policy.action_report_sale_policy_statement").report_action(
            self
        )

    def action_export_xlsx(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "url": f"/sale_order_policy/statement/{self.id}/xlsx",
            "target": "download",
        }

    def action_open_exception(self):
        self.ensure_one()
        return self.exception_id._get_records_action()

    # ------------------------------------------------------------------
    # Sending and the customer's answer
    # ------------------------------------------------------------------

    def _policy_send(self, raise_without_email=False):
        """E-mail the statements (PDF attached, portal link) and mark them sent.

        Returns the statements sent; without `raise_without_email`, those whose customer has
        no e-mail address are skipped and stay in draft."""
        if any(statement.state not in ("draft", "sent") for statement in self):
            raise UserError(self.env._("Only draft or sent statements can be sent."))
        no_email = self.filtered(lambda s: not s.partner_id.email)
        if no_email and raise_without_email:
            raise UserError(
                self.env._(
                    "%(partner)s has no e-mail address: add one to send the statement.",
                    partner=no_email[0].partner_id.display_name,
                )
            )
        to_send = self - no_email
        if not to_send:
            return to_send
        with policy_privileged():
            to_send.filtered(lambda s: s.state == "draft").write(
                {"state": "sent", "sent_on": fields.Datetime.now()}
            )
        template = self.env.ref("sale_order_policy.mail_template_sale_policy_statement")
        for statement in to_send:
            statement.message_post_with_source(
                template,
                message_type="comment",
                email_layout_xmlid="mail.mail_notification_light",
                subtype_xmlid="mail.mt_comment",
            )
        return to_send

    def _policy_customer_answer(self, answer, note, partner):
        """The customer confirms (`confirm`) or disputes (`dispute`) the statement."""
        self.ensure_one()
        self._policy_check_can_answer()
        if answer == "dispute" and not (note or "").strip():
            raise UserError(self.env._("Tell us what does not match to dispute the statement."))
        with policy_privileged():
            self.write(
                {
                    "state": "confirmed" if answer == "confirm" else "disputed",
                    "response_note": note or False,
                    "responded_on": fields.Datetime.now(),
                    "responded_by_id": partner.id,
                }
            )
        title = (
            self.env._("Statement confirmed by the customer.")
            if answer == "confirm"
            else self.env._("Statement disputed by the customer.")
        )
        body = Markup("<p>%s</p>") % title
        if note:
            body += Markup("<p>%s</p>") % note
        self.message_post(
            body=body,
            author_id=partner.id,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        if answer == "dispute":
            self._policy_raise_dispute(note)

    def _policy_dispute_order(self):
        """The order the dispute is filed on: the latest one on the statement, else the
        customer's latest confirmed order (the exception register is kept per order)."""
        self.ensure_one()
        names = {
            name.strip()
            for refs in self.line_ids.mapped("order_refs")
            if refs
            for name in refs.split(",")
        }
        Order = self.env["sale.order"].sudo()
        company = ("company_id", "=", self.company_id.id)
        order = Order.search(
            [company, ("name", "in", list(names)), ("state", "!=", "cancel")],
            order="date_order desc",
            limit=1,
        )
        return order or Order.search(
            [company, ("partner_id", "child_of", self.partner_id.id), ("state", "=", "sale")],
            order="date_order desc",
            limit=1,
        )

    def _policy_raise_dispute(self, note):
        self.ensure_one()
        salesperson = self.user_id or self.partner_id.user_id
        message = self.env._(
            "Customer disputes statement %(name)s (%(start)s to %(end)s, closing balance "
            "%(amount)s): %(note)s",
            name=self.name,
            start=self.date_from,
            end=self.date_to,
            amount=self.closing_balance,
            note=note,
        )
        order = self._policy_dispute_order()
        if not order:
            # No order to file it on: the salesperson still gets a task on the statement.
            self.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=(salesperson or self.env.ref("base.user_admin")).id,
                summary=self.env._("Statement disputed"),
                note=message,
            )
            return
        Exception_ = self.env["sale.policy.exception"].sudo()
        links = {"user": salesperson} if salesperson else {}
        exception = Exception_._policy_raise(
            order, "statement_dispute", message, origin="manual", **links
        )
        if exception.description != message:
            exception.message_post(body=message, subtype_xmlid="mail.mt_note")
        with policy_privileged():
            self.write({"exception_id": exception.id})

    # ------------------------------------------------------------------
    # Figures (grouped SQL, one pass per company and period)
    # ------------------------------------------------------------------

    def _policy_refresh(self):
        """Recompute the frozen copy of draft statements from the journal items."""
        groups = defaultdict(lambda: self.browse())
        for statement in self:
            groups[statement.company_id, statement.date_from, statement.date_to] |= statement
        for (company, date_from, date_to), statements in groups.items():
            figures = self._policy_figures(
                company, date_from, date_to, partner_ids=statements.partner_id.ids
            )
            for statement in statements:
                vals = self._policy_figure_vals(
                    company, figures.get(statement.partner_id.id) or self._policy_empty_figures()
                )
                vals["line_ids"] = [
                    fields.Command.clear(),
                    *(fields.Command.create(line) for line in vals["line_ids"]),
                ]
                vals["user_id"] = statement.partner_id.user_id.id
                with policy_privileged():
                    statement.write(vals)

    @api.model
    def _policy_empty_figures(self):
        return {"opening": 0.0, "closing": 0.0, "user_id": False, "moves": [], "aging": {}}

    @api.model
    def _policy_figures(self, company, date_from, date_to, partner_ids=None, active_only=False):
        """{commercial partner id: figures} of `company` for the period.

        `active_only`: only the customers with a receivable journal item in the period.
        Four grouped queries whatever the number of customers."""
        self.env.flush_all()
        figures = {}
        for partner_id, user_id, opening, closing in self._policy_query(
            self._policy_balances_sql(company, date_from, date_to, partner_ids, active_only)
        ):
            figures[partner_id] = {
                **self._policy_empty_figures(),
                "opening": opening or 0.0,
                "closing": closing or 0.0,
                "user_id": user_id,
            }
        if not figures:
            return figures
        scope = list(figures)
        moves = self._policy_query(self._policy_moves_sql(company, date_from, date_to, scope))
        refs = self._policy_order_refs([row[1] for row in moves])
        for partner_id, move_id, *rest in moves:
            figures[partner_id]["moves"].append((move_id, *rest, refs.get(move_id)))
        for partner_id, *buckets in self._policy_query(
            self._policy_aging_sql(company, date_to, scope)
        ):
            figures[partner_id]["aging"] = dict(
                zip(("current", "p1", "p2", "p3", "p4", "credit"), buckets, strict=True)
            )
        return figures

    @api.model
    def _policy_query(self, query):
        self.env.cr.execute(query)
        return self.env.cr.fetchall()

    @api.model
    def _policy_receivable_sql(self, company, date_to, partner_ids, join=None):
        """Posted receivable journal items of `company` up to `date_to` (alias aml, customer)."""
        return SQL(
            """
              FROM account_move_line aml
              JOIN account_account account ON account.id = aml.account_id
              JOIN res_partner contact ON contact.id = aml.partner_id
              JOIN res_partner customer ON customer.id = contact.commercial_partner_id
              %(join)s
             WHERE account.account_type = 'asset_receivable'
               AND aml.parent_state = 'posted'
               AND aml.company_id = %(company)s
               AND aml.date <= %(date_to)s
               AND %(partners)s
            """,
            join=join or SQL(),
            company=company.id,
            date_to=date_to,
            partners=SQL("customer.id = ANY(%s)", list(partner_ids))
            if partner_ids is not None
            else SQL("TRUE"),
        )

    @api.model
    def _policy_balances_sql(self, company, date_from, date_to, partner_ids, active_only):
        return SQL(
            """
            SELECT customer.id, customer.user_id,
                   SUM(aml.balance) FILTER (WHERE aml.date < %(date_from)s),
                   SUM(aml.balance)
              %(receivable)s
             GROUP BY customer.id, customer.user_id
            %(having)s
            """,
            date_from=date_from,
            receivable=self._policy_receivable_sql(company, date_to, partner_ids),
            having=SQL("HAVING BOOL_OR(aml.date >= %s)", date_from) if active_only else SQL(),
        )

    @api.model
    def _policy_moves_sql(self, company, date_from, date_to, partner_ids):
        """One row per customer and journal entry of the period, in date order."""
        return SQL(
            """
            SELECT customer.id, move.id, MIN(aml.date), move.move_type,
                   move.origin_payment_id IS NOT NULL OR move.statement_line_id IS NOT NULL,
                   move.name, move.ref, MIN(COALESCE(aml.date_maturity, aml.date)),
                   SUM(aml.balance)
              %(receivable)s
               AND aml.date >= %(date_from)s
             GROUP BY customer.id, move.id
             ORDER BY customer.id, MIN(aml.date), move.id
            """,
            date_from=date_from,
            receivable=self._policy_receivable_sql(
                company,
                date_to,
                partner_ids,
                join=SQL("JOIN account_move move ON move.id = aml.move_id"),
            ),
        )

    @api.model
    def _policy_aging_sql(self, company, date_to, partner_ids):
        """Open amount at `date_to` of each customer's items, by days past due.

        Open = balance less what was matched with items dated on or before `date_to`.
        Credits left open (unapplied payments, credit notes) are summed apart."""
        limits = self._policy_aging_limits(company)
        return SQL(
            """
            WITH items AS (
                SELECT aml.id, customer.id AS partner_id, aml.balance,
                       %(date_to)s::date - COALESCE(aml.date_maturity, aml.date) AS days
                  %(receivable)s
            ), matched AS (
                SELECT partial.debit_move_id AS item_id, -partial.amount AS amount
                  FROM account_partial_reconcile partial
                 WHERE partial.max_date <= %(date_to)s
                   AND partial.debit_move_id IN (SELECT id FROM items)
                 UNION ALL
                SELECT partial.credit_move_id, partial.amount
                  FROM account_partial_reconcile partial
                 WHERE partial.max_date <= %(date_to)s
                   AND partial.credit_move_id IN (SELECT id FROM items)
            ), open_items AS (
                SELECT items.partner_id, items.days,
                       items.balance + COALESCE(SUM(matched.amount), 0.0) AS residual
                  FROM items
                  LEFT JOIN matched ON matched.item_id = items.id
                 GROUP BY items.id, items.partner_id, items.days, items.balance
            )
            SELECT partner_id,
                   SUM(residual) FILTER (WHERE residual > 0 AND days <= 0),
                   SUM(residual) FILTER (WHERE residual > 0 AND days > 0 AND days <= %(l1)s),
                   SUM(residual) FILTER (WHERE residual > 0 AND days > %(l1)s
                                         AND days <= %(l2)s),
                   SUM(residual) FILTER (WHERE residual > 0 AND days > %(l2)s
                                         AND days <= %(l3)s),
                   SUM(residual) FILTER (WHERE residual > 0 AND days > %(l3)s),
                   SUM(residual) FILTER (WHERE residual < 0)
              FROM open_items
             WHERE ROUND(residual::numeric, 6) != 0
             GROUP BY partner_id
            """,
            date_to=date_to,
            receivable=self._policy_receivable_sql(company, date_to, partner_ids),
            l1=limits[0],
            l2=limits[1],
            l3=limits[2],
        )

    @api.model
    def _policy_order_refs(self, move_ids):
        """{move id: "S00012, S00015"}: the orders of an invoice's lines; for a payment, the
        orders of the invoices it was matched with."""
        if not move_ids:
            return {}
        rows = self._policy_query(
            SQL(
                """
                WITH sources AS (
                    SELECT id AS move_id, id AS source_id
                      FROM account_move WHERE id = ANY(%(moves)s)
                     UNION
                    SELECT own.move_id, other.move_id
                      FROM account_move_line own
                      JOIN account_partial_reconcile partial ON partial.credit_move_id = own.id
                      JOIN account_move_line other ON other.id = partial.debit_move_id
                     WHERE own.move_id = ANY(%(moves)s)
                     UNION
                    SELECT own.move_id, other.move_id
                      FROM account_move_line own
                      JOIN account_partial_reconcile partial ON partial.debit_move_id = own.id
                      JOIN account_move_line other ON other.id = partial.credit_move_id
                     WHERE own.move_id = ANY(%(moves)s)
                )
                SELECT sources.move_id, STRING_AGG(DISTINCT so.name, ', ' ORDER BY so.name)
                  FROM sources
                  JOIN account_move_line line ON line.move_id = sources.source_id
                  JOIN sale_order_line_invoice_rel rel ON rel.invoice_line_id = line.id
                  JOIN sale_order_line sol ON sol.id = rel.order_line_id
                  JOIN sale_order so ON so.id = sol.order_id
                 GROUP BY sources.move_id
                """,
                moves=list(move_ids),
            )
        )
        return dict(rows)

    @api.model
    def _policy_aging_limits(self, company):
        limits = company._sale_policy_aging_limits()[:3]
        return limits if all(limits) else [30, 60, 90]

    @api.model
    def _policy_figure_vals(self, company, figures):
        """The frozen fields of one statement from its customer's `figures`."""
        currency = company.currency_id
        balance = figures["opening"]
        totals = defaultdict(float)
        lines = []
        for sequence, row in enumerate(figures["moves"], start=1):
            move_id, date, move_type, is_payment, name, ref, due, amount, refs = row
            kind = MOVE_KINDS.get(move_type) or ("payment" if is_payment else "other")
            totals[kind] += amount
            balance += amount
            lines.append(
                {
                    "company_id": company.id,
                    "currency_id": currency.id,
                    "sequence": sequence,
                    "date": date,
                    "kind": kind,
                    "move_id": move_id,
                    "document": name or "/",
                    "description": ref or None,
                    "order_refs": refs or None,
                    "date_due": due if kind == "invoice" else None,
                    "debit": currency.round(max(amount, 0.0)),
                    "credit": currency.round(max(-amount, 0.0)),
                    "balance": currency.round(balance),
                }
            )
        aging = figures["aging"]
        return {
            "opening_balance": currency.round(figures["opening"]),
            "total_invoiced": currency.round(totals["invoice"]),
            "total_refunded": currency.round(-totals["refund"]),
            "total_paid": currency.round(-totals["payment"]),
            "total_other": currency.round(totals["other"]),
            "closing_balance": currency.round(figures["closing"]),
            "aging_current": aging.get("current") or 0.0,
            "aging_1": aging.get("p1") or 0.0,
            "aging_2": aging.get("p2") or 0.0,
            "aging_3": aging.get("p3") or 0.0,
            "aging_4": aging.get("p4") or 0.0,
            "unapplied_credit": aging.get("credit") or 0.0,
            "aging_limits": ",".join(map(str, self._policy_aging_limits(company))),
            "issued_on": fields.Datetime.now(),
            "line_ids": lines,
        }

    # ------------------------------------------------------------------
    # Issuing in bulk (the partner's button and the monthly job)
    # ------------------------------------------------------------------

    @api.model
    def _policy_generate(self, company, date_from, date_to, partners=None, auto=False):
        """Issue draft statements of `company` for the period, in one `create`.

        `partners`: these customers (with or without activity); None: every customer with
        receivable activity in the period. Customers that already have a live statement for
        the period are skipped. Returns the new statements."""
        partner_ids = partners.commercial_partner_id.ids if partners is not None else None
        figures = self._policy_figures(
            company, date_from, date_to, partner_ids=partner_ids, active_only=partners is None
        )
        for partner_id in partner_ids or ():
            figures.setdefault(partner_id, self._policy_empty_figures())
        self.env.cr.execute(
            SQL(
                """
                SELECT partner_id FROM sale_policy_statement
                 WHERE company_id = %s AND date_from = %s AND date_to = %s AND state != 'cancel'
                """,
                company.id,
                date_from,
                date_to,
            )
        )
        for (partner_id,) in self.env.cr.fetchall():
            figures.pop(partner_id, None)
        vals_list = [
            {
                "company_id": company.id,
                "partner_id": partner_id,
                "user_id": partner_figures["user_id"],
                "date_from": date_from,
                "date_to": date_to,
                "auto": auto,
                **self._policy_figure_vals(company, partner_figures),
            }
            for partner_id, partner_figures in figures.items()
        ]
        lines = [vals.pop("line_ids") for vals in vals_list]
        with policy_privileged():
            statements = (
                self.sudo()
                .with_context(
                    tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True
                )
                .create(vals_list)
            )
        statements._policy_insert_lines(lines)
        return statements.with_env(self.env)

    def _policy_insert_lines(self, lines_per_statement):
        """Insert the lines of new statements (same order) in one statement.

        The lines of thousands of statements go in as one INSERT from arrays: they are plain
        stored values (no compute, no constraint but the foreign keys), frozen at birth."""
        columns = list(LINE_COLUMNS)
        rows = [
            [statement.id, *(line[column] for column in columns)]
            for statement, lines in zip(self, lines_per_statement, strict=True)
            for line in lines
        ]
        if not rows:
            return
        types = ["int", *LINE_COLUMNS.values()]
        arrays = SQL(", ").join(
            SQL("%s::%s[]", list(values), SQL(kind))
            for values, kind in zip(zip(*rows, strict=True), types, strict=True)
        )
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO sale_policy_statement_line
                       (statement_id, %(columns)s, create_uid, write_uid, create_date, write_date)
                SELECT *, %(uid)s, %(uid)s, NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
                  FROM UNNEST(%(arrays)s)
                """,
                columns=SQL(", ").join(SQL.identifier(column) for column in columns),
                arrays=arrays,
                uid=self.env.uid,
            )
        )
        self.invalidate_recordset(["line_ids"])

    @api.model
    def _policy_previous_month(self, today=None):
        today = today or fields.Date.context_today(self)
        date_to = today.replace(day=1) - relativedelta(days=1)
        return date_to.replace(day=1), date_to

    @api.model
    def _cron_send_statements(self, batch_size=SEND_BATCH_SIZE):
        """Issue last month's statements to every customer with activity and e-mail them,
        in the companies with Monthly Statements on. Running it again sends nothing more."""
        date_from, date_to = self._policy_previous_month()
        companies = (
            self.env["res.company"].sudo().search([("sale_policy_statement_auto", "=", True)])
        )
        for company in companies:
            self.with_company(company)._policy_generate(company, date_from, date_to, auto=True)
        pending = self.sudo().search(
            [
                ("auto", "=", True),
                ("state", "=", "draft"),
                ("company_id", "in", companies.ids),
                ("date_from", "=", date_from),
                ("date_to", "=", date_to),
                ("partner_id.email", "!=", False),
            ]
        )
        return self._policy_send_batches(pending, batch_size)

    @api.model
    def _policy_send_batches(self, statements, batch_size):
        auto_commit = bool(self.env.context.get("ir_cron_progress_id")) and not getattr(
            threading.current_thread(), "testing", False
        )
        if auto_commit:
            # The issued statements are kept even if a later batch fails.
            self.env.cr.commit()  # pylint: disable=invalid-commit
        done = 0
        for start in range(0, len(statements), batch_size):
            batch = statements[start : start + batch_size]
            try:
                with self.env.cr.savepoint():
                    done += len(batch._policy_send())
            except Exception:  # noqa: BLE001 - one bad batch must not stop the others
                _logger.exception("Statements %s could not be sent", batch.ids)
            if auto_commit:
                self.env["ir.cron"]._notify_progress(
                    done=done, remaining=len(statements) - start - len(batch)
                )
                self.env.cr.commit()  # pylint: disable=invalid-commit
        self.env["ir.cron"]._notify_progress(done=done, remaining=0)
        return done

    # ------------------------------------------------------------------
    # Presentation (PDF, XLSX, portal)
    # ------------------------------------------------------------------

    def _policy_aging_rows(self):
        """[(label, amount)] of the aging summary, with the limits frozen at issue time."""
        self.ensure_one()
        _ = self.env._
        limits = [int(limit) for limit in (self.aging_limits or "30,60,90").split(",")]
        return [
            (_("Not Due"), self.aging_current),
            (_("%(low)s–%(high)s days", low=1, high=limits[0]), self.aging_1),
            (_("%(low)s–%(high)s days", low=limits[0] + 1, high=limits[1]), self.aging_2),
            (_("%(low)s–%(high)s days", low=limits[1] + 1, high=limits[2]), self.aging_3),
            (_("Over %(days)s days", days=limits[2]), self.aging_4),
            (_("Unapplied Credits"), self.unapplied_credit),
        ]

    def _policy_file_name(self, extension):
        self.ensure_one()
        return "{}_{}.{}".format(self.env._("Statement"), self.name.replace("/", "-"), extension)

    def _get_report_base_filename(self):
        self.ensure_one()
        return self._policy_file_name("pdf").rsplit(".", 1)[0]
