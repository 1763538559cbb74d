from odoo import api, fields, models
from odoo.exceptions import ValidationError

SEVERITIES = [("low", "Low"), ("medium", "Medium"), ("high", "High")]
OWNER_RULES = [
    ("salesperson", "Salesperson"),
    ("team_leader", "Team Leader"),
    ("user", "A Specific User"),
]


class SalePolicyExceptionType(models.Model):
    """A kind of abnormal order (异常订单): who owns it, how fast, and what it blocks."""

    _name = "sale.policy.exception.type"
    _inherit = ["sale.policy.config.tracked.mixin", "mail.thread"]
    _description = "Sales Order Exception Type"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Technical code used by the automatic detectors and by other features "
        "(late_delivery, stock_shortage, credit, payment_overdue, quality, ...).",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        help="Empty: the type is available to every company.",
    )
    description = fields.Text(translate=True)
    severity = fields.Selection(SEVERITIES, required=True, default="medium")
    owner_rule = fields.Selection(
        OWNER_RULES,
        string="Default Owner",
        required=True,
        default="salesperson",
        help="Who owns a new exception of this type: the order's salesperson, the leader "
        "of its sales team, or the user below.",
    )
    owner_user_id = fields.Many2one("res.users", string="Owner", check_company=True)
    deadline_hours = fields.Float(
        string="Deadline (hours)",
        default=24.0,
        help="Time to handle an exception of this type; past it, it escalates to the team "
        "leader.",
    )
    blocking = fields.Boolean(
        help="While an exception of this type is open, the order's documents below are "
        "refused until it is resolved or a sales manager overrides it."
    )
    block_delivery = fields.Boolean(string="Blocks Delivery Validation", default=True)
    block_invoice = fields.Boolean(string="Blocks Invoice Posting")
    auto_detected = fields.Boolean(
        readonly=True, help="Raised and resolved automatically by the detection job."
    )

    _sql_constraints = [
        (
            "code_company_unique",
            "unique(code, company_id)",
            "An exception type with this code already exists for this company.",
        ),
        ("deadline_positive", "CHECK(deadline_hours >= 0)", "The deadline cannot be negative."),
    ]

    @api.constrains("owner_rule", "owner_user_id")
    def _check_owner_user(self):
        for exc_type in self:
            if exc_type.owner_rule == "user" and not exc_type.owner_user_id:
                raise ValidationError(
                    self.env._(
                        "Exception type %(type)s is owned by a specific user: choose the user.",
                        type=exc_type.name,
                    )
                )

    @api.constrains("blocking", "block_delivery", "block_invoice")
    def _check_block_target(self):
        for exc_type in self:
            if exc_type.blocking and not (exc_type.block_delivery or exc_type.block_invoice):
                raise ValidationError(
                    self.env._(
                        "Blocking exception type %(type)s must block delivery validation, "
                        "invoice posting, or both.",
                        type=exc_type.name,
                    )
                )

    @api.model
    def _policy_find(self, code, company):
        """The type for `code`: the company's own first, then the shared one."""
        return self.search(
            [("code", "=", code), ("company_id", "in", [company.id, False])],
            order="company_id, sequence",
            limit=1,
        )
