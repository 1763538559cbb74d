from markupsafe import Markup

from odoo import api, fields, models

from .sale_policy_protected_mixin import policy_privileged

# The engine's own events; each feature adds its events with `selection_add`.
LOG_EVENTS = [
    ("submit", "Submitted"),
    ("auto_approve", "Approved without Review"),
    ("partial_approve", "Approved (awaiting other reviewers)"),
    ("approve", "Approved"),
    ("reject", "Rejected"),
    ("reset", "Reset to Draft"),
    ("delegate", "Delegated"),
    ("reminder", "SLA Reminder"),
    ("escalate", "Escalated"),
    ("round_breach", "Review Deadline Missed"),
    ("portal", "Routed to Review from Portal"),
    ("confirm", "Confirmed"),
    ("system_change", "Changed by Odoo"),
    ("policy_on", "Policy Switched On"),
    ("policy_off", "Policy Switched Off"),
]


# The decisions whose hash the approval sheet prints.
DECISION_EVENTS = ("auto_approve", "partial_approve", "approve", "reject")
# What a line's hash covers (sale.policy.hash.chain.mixin): never change it, the hashes of
# existing lines were computed over it.
CHAIN_FIELDS = [
    "company_id",
    "order_id",
    "review_id",
    "review_round",
    "step",
    "event",
    "user_id",
    "on_behalf_of_id",
    "date",
    "comment",
    "amount_total",
    "currency_id",
]


class SalePolicyLog(models.Model):
    """Append-only audit trail (审批记录): nobody writes or deletes a line, admin included,
    and each line is hash-chained to the previous line of its company, so that a line
    changed or deleted with SQL is found (`_cron_policy_verify_chain`)."""

    _name = "sale.policy.log"
    _inherit = ["sale.policy.protected.mixin", "sale.policy.hash.chain.mixin"]
    _description = "Sales Policy Log"
    _order = "date desc, id desc"
    _policy_append_only = True

    # Joined, not a subquery: the reader rule's `order_id.user_id` / readers test then runs
    # per line of the order being read instead of over all the user's orders (history).
    order_id = fields.Many2one("sale.order", ondelete="restrict", index=True, auto_join=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    review_id = fields.Many2one("sale.policy.review", ondelete="restrict", index=True)
    review_round = fields.Integer(string="Round")
    step = fields.Char()
    event = fields.Selection(LOG_EVENTS, required=True, index=True)
    user_id = fields.Many2one("res.users", string="User", required=True)
    on_behalf_of_id = fields.Many2one("res.users", string="On Behalf of")
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    comment = fields.Text()
    amount_total = fields.Monetary(currency_field="currency_id", string="Amount at the Time")
    currency_id = fields.Many2one("res.currency")

    @api.model
    def _policy_add(self, order, event, comment=None, review=None, on_behalf_of=None, **extra):
        """Append one line; the only way a log line is ever written."""
        return self._policy_add_many(
            [
                {
                    "order": order,
                    "event": event,
                    "comment": comment,
                    "review": review,
                    "on_behalf_of": on_behalf_of,
                    **extra,
                }
            ]
        )

    @api.model
    def _policy_add_many(self, entries):
        """Append several lines in one insert (crons); each entry holds `_policy_add`'s
        arguments as a dict."""
        vals_list = [self._policy_log_vals(**entry) for entry in entries]
        with policy_privileged():
            return self.sudo().create(vals_list)

    @api.model
    def _policy_log_vals(self, order, event, comment=None, review=None, on_behalf_of=None, **extra):
        return {
            "order_id": order.id,
            "company_id": (order.company_id or self.env.company).id,
            "review_id": review.id if review else False,
            "review_round": review.review_round if review else order.policy_round,
            "step": review.name if review else False,
            "event": event,
            "user_id": self.env.uid,
            "on_behalf_of_id": on_behalf_of.id if on_behalf_of else False,
            "comment": comment or False,
            # The currency first: caching the amount then needs no query for it.
            "currency_id": order.currency_id.id,
            "amount_total": order.amount_total,
            **extra,
        }

    @api.model
    def _policy_chain_fields(self):
        return CHAIN_FIELDS

    @api.model
    def _policy_chain_label(self, line):
        return self.env._(
            "line %(id)s (%(order)s, %(event)s, %(date)s)",
            id=line.id,
            order=line.order_id.display_name or "-",
            event=dict(line._fields["event"]._description_selection(self.env)).get(
                line.event, line.event
            ),
            date=fields.Datetime.to_string(line.date),
        )

    @api.model
    def _policy_last_decision(self, order):
        """The order's last decision (approval sheet: its hash is printed)."""
        return self.sudo().search(
            [("order_id", "=", order.id), ("event", "in", DECISION_EVENTS)],
            order="date desc, id desc",
            limit=1,
        )

    @api.model
    def _cron_policy_verify_chain(self):
        """Daily: verify the policy log and the configuration log; on a broken chain, tell
        the company's general managers (inbox or e-mail, in their language)."""
        problems = []
        for model in ("sale.policy.log", "sale.policy.config.log"):
            problems += self.env[model].sudo()._policy_chain_verify()
        by_company = {}
        for problem in problems:
            by_company.setdefault(problem["company_id"], []).append(problem)
        managers = self.env.ref("sale_order_policy.group_general_manager").sudo().users
        for company_id, company_problems in by_company.items():
            company = self.env["res.company"].browse(company_id)
            users = managers.filtered(lambda user, c=company: not c or c in user.company_ids)
            self._policy_chain_notify(company, company_problems, users)
        return problems

    @api.model
    def _policy_chain_notify(self, company, problems, users):
        for lang in set(users.mapped("lang")):
            readers = users.filtered(lambda user, lang=lang: user.lang == lang)
            # The messages again, in the readers' language.
            env = self.with_context(lang=lang).env
            lines = []
            for problem in problems:
                model = env[problem["model"]].sudo()
                lines.append(
                    model._policy_chain_problem(
                        problem["kind"],
                        problem["line_id"],
                        problem["company_id"],
                        problem["sequence"],
                        problem.get("last"),
                        problem.get("after"),
                    )["message"]
                )
            subject = env._("Policy log tampered with: %(company)s", company=company.name or "-")
            body = Markup("<p>%s</p><ul>%s</ul>") % (
                env._(
                    "The daily verification found lines of the policy logs changed or deleted "
                    "outside the policy engine:"
                ),
                Markup().join(Markup("<li>%s</li>") % line for line in lines),
            )
            env["mail.thread"].sudo().message_notify(
                model="res.company" if company else False,
                res_id=company.id,
                partner_ids=readers.partner_id.ids,
                subject=subject,
                body=body,
            )
