from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .sale_policy_protected_mixin import policy_privileged


class SalePolicyDunningLog(models.Model):
    """One reminder (催款函) sent to one customer, listing all their overdue invoices.

    Written only by the dunning engine (`_policy_run_dunning`), kept on the partner and
    on every invoice it listed.
    """

    _name = "sale.policy.dunning.log"
    _inherit = "sale.policy.protected.mixin"
    _description = "Dunning History"
    _order = "date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="restrict"
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    level_id = fields.Many2one(
        "sale.policy.dunning.level",
        string="Level",
        required=True,
        ondelete="restrict",
        check_company=True,
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    user_id = fields.Many2one(
        "res.users", string="Sent by", required=True, default=lambda self: self.env.user
    )
    manual = fields.Boolean(
        string="Sent Manually", help="Sent with 'Send Reminder Now' rather than by the cron."
    )
    move_ids = fields.Many2many(
        "account.move",
        "sale_policy_dunning_log_move_rel",
        "log_id",
        "move_id",
        string="Overdue Invoices",
        check_company=True,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount_overdue = fields.Monetary(
        string="Overdue Amount", help="Open amount of the listed invoices, in company currency."
    )
    mail_id = fields.Many2one("mail.mail", string="Email", ondelete="set null")

    def _compute_display_name(self):
        for log in self:
            log.display_name = f"{log.partner_id.display_name} – {log.level_id.name}"

    # ------------------------------------------------------------------
    # Engine
    # ------------------------------------------------------------------
    @api.model
    def _policy_overdue_moves(self, company, partners=None, today=None):
        """Posted customer invoices of `company` still unpaid after their due date."""
        today = today or fields.Date.context_today(self)
        domain = [
            ("company_id", "=", company.id),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
            ("invoice_date_due", "<", today),
            ("commercial_partner_id.sale_policy_dunning_excluded", "=", False),
        ]
        if partners is not None:
            domain.append(("commercial_partner_id", "in", partners.commercial_partner_id.ids))
        return self.env["account.move"].sudo().search(domain, order="invoice_date_due, id")

    @api.model
    def _policy_run_dunning(self, companies=None, partners=None, manual=False):
        """Send each customer the level it is due: one email listing all overdue invoices.

        A customer's due level is the highest level reached by one of its overdue
        invoices (by days overdue). It is sent only when it is higher than the level
        already sent for those invoices (`policy_dunning_level_id`: the highest level of
        the letters that listed the invoice), so the cron never repeats a level. Paid
        invoices leave the search, so a customer who paid gets nothing more, and a later
        overdue invoice starts again from the first level. "Send Reminder Now"
        (`manual`) re-sends the level reached when no higher one is due.
        Returns the logs created.
        """
        today = fields.Date.context_today(self)
        companies = companies or self.env["res.company"].sudo().search([])
        logs = self.browse()
        level_model = self.env["sale.policy.dunning.level"].sudo()
        for company in companies:
            levels = level_model.search([("company_id", "=", company.id)])
            if not levels:
                continue
            moves = self._policy_overdue_moves(company, partners=partners, today=today)
            moves_by_partner = defaultdict(lambda: self.env["account.move"])
            for move in moves:
                moves_by_partner[move.commercial_partner_id] |= move
            for partner, partner_moves in moves_by_partner.items():
                most_overdue = max((today - move.invoice_date_due).days for move in partner_moves)
                due = levels.filtered(lambda lvl, days=most_overdue: lvl.days_overdue <= days)[-1:]
                sent = max(
                    partner_moves.policy_dunning_level_id,
                    key=lambda lvl: lvl.days_overdue,
                    default=level_model,
                )
                if due and (not sent or due.days_overdue > sent.days_overdue):
                    level = due
                elif manual:
                    level = sent or levels[0]
                else:
                    continue
                logs |= self._policy_send(partner, company, level, partner_moves, manual=manual)
                if level != sent:
                    self._policy_level_actions(partner, level, partner_moves)
        return logs

    @api.model
    def _policy_send(self, partner, company, level, moves, manual=False):
        amount = sum(moves.mapped("amount_residual_signed"))
        with policy_privileged():
            log = self.sudo().create(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "level_id": level.id,
                    "manual": manual,
                    "move_ids": [fields.Command.set(moves.ids)],
                    "amount_overdue": amount,
                }
            )
            if level.mail_template_id:
                mail_id = level.mail_template_id.sudo().send_mail(
                    log.id, email_layout_xmlid="mail.mail_notification_light"
                )
                log.mail_id = mail_id
        partner.sudo().message_post(
            body=Markup("%s<br/>%s")
            % (
                self.env._("Dunning %(level)s sent.", level=level.name),
                ", ".join(moves.mapped("name")),
            ),
            subtype_xmlid="mail.mt_note",
        )
        return log

    @api.model
    def _policy_level_actions(self, partner, level, moves):
        activity_type = "sale_order_policy.mail_activity_type_policy_dunning"
        users = self.env["res.users"]
        if level.activity_salesperson:
            users |= moves.invoice_user_id or partner.user_id
        if level.activity_team_leader:
            users |= moves.team_id.user_id
        if level.activity_finance:
            users |= level.finance_user_id or self.env.ref(
                "sale_order_policy.group_finance_reviewer"
            ).users.filtered(lambda user: level.company_id in user.company_ids)
        summary = self.env._("Collect overdue invoices (%(level)s)", level=level.name)
        note = ", ".join(moves.mapped("name"))
        for user in users:
            partner.sudo().activity_schedule(
                activity_type, user_id=user.id, summary=summary, note=note
            )
        if level.raise_exception:
            exception_model = self.env["sale.policy.exception"].sudo()
            for move in moves:
                for order in move.line_ids.sale_line_ids.order_id:
                    exception_model._policy_raise(
                        order,
                        "payment_overdue",
                        self.env._(
                            "Invoice %(invoice)s is overdue since %(date)s (%(level)s).",
                            invoice=move.name,
                            date=move.invoice_date_due,
                            level=level.name,
                        ),
                        invoice_id=move.id,
                    )

    @api.model
    def _policy_check_dunning_rights(self):
        if not (
            self.env.user.has_group("sale_order_policy.group_finance_reviewer")
            or self.env.user.has_group("account.group_account_invoice")
        ):
            raise AccessError(
                self.env._("Only finance and invoicing users can manage dunning (催款).")
            )

    @api.model
    def _policy_send_now(self, partner):
        partner = partner.commercial_partner_id
        self._policy_check_dunning_rights()
        if partner.sale_policy_dunning_excluded:
            raise UserError(
                self.env._(
                    "%(partner)s is excluded from dunning; include it again first.",
                    partner=partner.display_name,
                )
            )
        logs = self._policy_run_dunning(companies=self.env.company, partners=partner, manual=True)
        if not logs:
            raise UserError(
                self.env._(
                    "%(partner)s has no overdue invoice in %(company)s, or no dunning level "
                    "is configured.",
                    partner=partner.display_name,
                    company=self.env.company.name,
                )
            )
        return logs

    @api.model
    def _cron_send_dunning(self):
        logs = self._policy_run_dunning()
        self.env["ir.cron"]._notify_progress(done=len(logs), remaining=0)
        return logs
