from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression
from odoo.tools.safe_eval import datetime, dateutil, safe_eval, time

DEPARTMENTS = [
    ("sales", "Sales"),
    ("finance", "Finance"),
    ("warehouse", "Warehouse"),
    ("logistics", "Logistics"),
    ("production", "Production"),
    ("purchase", "Purchasing"),
    ("management", "General Management"),
    ("other", "Other"),
]


class SalePolicyRule(models.Model):
    """One step of the approval chain. Rules sharing a sequence form a parallel tier."""

    _name = "sale.policy.rule"
    _description = "Sales Policy Approval Rule"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(
        default=10,
        help="Rules with the same sequence form one tier and are reviewed in parallel; "
        "tiers open in ascending order.",
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    # The kind of subject reviewed; each subject adds its key with `selection_add`.
    applies_to = fields.Selection(
        [("order", "Order")],
        required=True,
        default="order",
        index=True,
    )
    department = fields.Selection(DEPARTMENTS, default="sales", required=True)
    # Conditions: all of them must hold.
    amount_min = fields.Monetary(
        string="Minimum Amount",
        currency_field="company_currency_id",
        help="The order total in company currency must be at least this amount (0 = any).",
    )
    company_currency_id = fields.Many2one(related="company_id.currency_id")
    domain_condition = fields.Char(
        string="Condition", default="[]", required=True, help="Orders this rule applies to."
    )
    match_mode = fields.Selection(
        [("all", "All conditions"), ("any", "Amount or checks")],
        string="Match",
        required=True,
        default="all",
        help="All conditions: the amount, the checks and the condition must all hold. "
        "Amount or checks: the condition must hold, plus the minimum amount or one of the "
        "checks.",
    )
    check_type_ids = fields.Many2many(
        "sale.policy.check.type",
        string="Triggered by Checks",
        help="If set, the rule applies only when one of these checks reported a warning or a "
        "block. Blocking results of these checks are released by this rule's approval.",
    )
    # Reviewers
    reviewer_type = fields.Selection(
        [
            ("users", "Specific Users"),
            ("group", "User Group"),
            ("team_leader", "Sales Team Leader"),
        ],
        required=True,
        default="team_leader",
    )
    reviewer_user_ids = fields.Many2many(
        "res.users",
        "sale_policy_rule_reviewer_rel",
        "rule_id",
        "user_id",
        string="Reviewers",
        domain=[("share", "=", False)],
    )
    reviewer_group_id = fields.Many2one("res.groups", string="Reviewer Group")
    approval_mode = fields.Selection(
        [("any", "Any reviewer decides"), ("all", "Every reviewer must approve")],
        required=True,
        default="any",
    )
    # SLA
    sla_scope = fields.Selection(
        [("order", "Within the order's review deadline"), ("step", "Its own SLA per step")],
        string="Step Deadline",
        required=True,
        default="order",
        help="Within the order's review deadline: the step is due when the whole review is "
        "(the company's review SLA, from submission). Its own SLA: the step is due its own "
        "hours after it opens, and never later than the order's review deadline.",
    )
    sla_hours = fields.Float(
        string="SLA (hours)",
        default=lambda self: self.env.company.sale_policy_sla_hours or 24.0,
    )
    sla_hours_urgent = fields.Float(string="Urgent SLA (hours)", default=4.0)
    calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Calendar",
        help="Overrides the company's review calendar for this rule.",
    )
    escalation_user_ids = fields.Many2many(
        "res.users",
        "sale_policy_rule_escalation_rel",
        "rule_id",
        "user_id",
        string="Escalate to",
        domain=[("share", "=", False)],
        help="Notified when a review passes its deadline. Empty: the General Manager group.",
    )
    opinion_required = fields.Boolean(
        string="Opinion Required on Approval",
        help="Reviewers must write an opinion (审批意见) to approve, not only to reject.",
    )
    escalation_can_decide = fields.Boolean(
        string="Escalation Users Can Decide",
        help="After the deadline, the escalation users may approve or reject the step.",
    )
    note = fields.Html(translate=True)

    @api.constrains("domain_condition")
    def _check_domain_condition(self):
        for rule in self:
            try:
                domain = rule._get_domain()
                if not isinstance(domain, list | tuple):
                    raise ValueError("not a list")
                domain = expression.normalize_domain(domain)
                self.env["sale.order"]._where_calc(domain)
            except Exception as error:
                raise ValidationError(
                    self.env._(
                        "The condition of rule %(rule)s is not a valid domain on sales "
                        "orders: %(error)s",
                        rule=rule.name,
                        error=error,
                    )
                ) from error

    @api.constrains("reviewer_type", "reviewer_user_ids", "reviewer_group_id")
    def _check_reviewers(self):
        for rule in self:
            if rule.reviewer_type == "users" and not rule.reviewer_user_ids:
                raise ValidationError(
                    self.env._("Rule %(rule)s needs at least one reviewer.", rule=rule.name)
                )
            if rule.reviewer_type == "group" and not rule.reviewer_group_id:
                raise ValidationError(
                    self.env._("Rule %(rule)s needs a reviewer group.", rule=rule.name)
                )

    @api.constrains("sla_hours", "sla_hours_urgent")
    def _check_sla_hours(self):
        for rule in self:
            if rule.sla_hours <= 0 or rule.sla_hours_urgent <= 0:
                raise ValidationError(
                    self.env._(
                        "The SLA of rule %(rule)s must be more than 0 hours.", rule=rule.name
                    )
                )

    @api.constrains("calendar_id")
    def _check_calendar(self):
        for rule in self:
            if rule.calendar_id and not rule.calendar_id.attendance_ids:
                raise ValidationError(
                    self.env._(
                        "The working calendar %(calendar)s has no working hours.",
                        calendar=rule.calendar_id.display_name,
                    )
                )

    @api.constrains("amount_min")
    def _check_amount_min(self):
        if any(rule.amount_min < 0 for rule in self):
            raise ValidationError(self.env._("The minimum amount cannot be negative."))

    def _policy_retire_subject(self):
        """`ondelete` of a subject's `applies_to` key: when the module of the subject goes,
        its rules are archived (back on the core key) instead of deleted, because past
        reviews refer to them."""
        self.with_context(active_test=False).write({"active": False, "applies_to": "order"})

    def _get_domain(self):
        self.ensure_one()
        return safe_eval(
            self.domain_condition or "[]",
            {
                "uid": self.env.uid,
                "user": self.env.user,
                "context_today": fields.Date.context_today,
                "datetime": datetime,
                "dateutil": dateutil,
                "time": time,
            },
        )

    def _applies(self, subject, amount_company, failing_type_ids):
        """Whether this rule reviews `subject` (a reviewable document). The condition is a
        domain on the subject's order: a subject without an order matches an empty one
        only. Hook for extensions."""
        self.ensure_one()
        tests = []
        if self.amount_min:
            tests.append(amount_company >= self.amount_min)
        if self.check_type_ids:
            tests.append(bool(set(self.check_type_ids.ids) & failing_type_ids))
        if tests and not (any(tests) if self.match_mode == "any" else all(tests)):
            return False
        domain = self._get_domain()
        return not domain or bool(subject._policy_order().filtered_domain(domain))

    def _get_reviewers(self, subject):
        """Users who may decide this step for `subject`, never its owners (the order's
        salesperson or creator)."""
        self.ensure_one()
        order = subject._policy_order()
        if self.reviewer_type == "users":
            users = self.reviewer_user_ids
        elif self.reviewer_type == "group":
            users = self.reviewer_group_id.users
        else:
            users = (
                self._eligible_reviewers(subject, order.team_id.user_id)
                or self.env.ref("sales_team.group_sale_manager").users
            )
        return self._eligible_reviewers(subject, users)

    def _eligible_reviewers(self, subject, users):
        company = subject._policy_company()
        owners = subject._policy_owners()
        return users.filtered(
            lambda u: u.active and not u.share and company in u.company_ids and u not in owners
        )

    def _get_escalation_users(self):
        """Who hears of a breached deadline: the rule's users, else the general managers."""
        self.ensure_one()
        users = (
            self.escalation_user_ids
            or self.env.ref("sale_order_policy.group_general_manager").users
        )
        return users.filtered(lambda u: u.active and not u.share)
