from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL


class SalePolicyDelegation(models.Model):
    """A reviewer names a substitute (代理审批) for a date range."""

    _name = "sale.policy.delegation"
    _inherit = ["mail.thread"]
    _description = "Sales Policy Review Delegation"
    _order = "date_from desc, id desc"
    _check_company_auto = True

    user_id = fields.Many2one(
        "res.users",
        string="Reviewer",
        required=True,
        default=lambda self: self.env.user,
        index=True,
        tracking=True,
    )
    delegate_id = fields.Many2one(
        "res.users",
        string="Substitute",
        required=True,
        index=True,
        domain=[("share", "=", False)],
        tracking=True,
    )
    date_from = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    date_to = fields.Date(required=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    active = fields.Boolean(default=True, tracking=True)
    note = fields.Text()

    @api.constrains("user_id", "delegate_id", "date_from", "date_to")
    def _check_delegation(self):
        for delegation in self:
            if delegation.user_id == delegation.delegate_id:
                raise ValidationError(self.env._("A reviewer cannot delegate to themself."))
            if delegation.date_to < delegation.date_from:
                raise ValidationError(self.env._("The delegation ends before it starts."))

    def _check_own_delegation(self):
        if self.env.su or self.env.user.has_group("sale_order_policy.group_policy_admin"):
            return
        if any(delegation.user_id != self.env.user for delegation in self):
            raise AccessError(self.env._("You can only delegate your own reviews."))

    @api.model_create_multi
    def create(self, vals_list):
        delegations = super().create(vals_list)
        delegations._check_own_delegation()
        # The record rules read the delegators (ir.rule eval context `policy_reader_domain`).
        self.env.registry.clear_cache()
        log = self.env["sale.policy.log"]
        for delegation in delegations:
            log._policy_add(
                self.env["sale.order"],
                "delegate",
                comment=self.env._(
                    "%(user)s delegates reviews to %(delegate)s from %(from)s to %(to)s.",
                    user=delegation.user_id.name,
                    delegate=delegation.delegate_id.name,
                    **{"from": delegation.date_from, "to": delegation.date_to},
                ),
                on_behalf_of=delegation.user_id,
                company_id=delegation.company_id.id,
            )
        return delegations

    def write(self, vals):
        self._check_own_delegation()
        res = super().write(vals)
        self._check_own_delegation()
        self.env.registry.clear_cache()
        return res

    def unlink(self):
        res = super().unlink()
        self.env.registry.clear_cache()
        return res

    @api.model
    def _policy_delegators_today(self, user_id):
        """{company id: [reviewers who delegated to `user_id` today in that company]}, for
        the companies the user works in now."""
        today = fields.Date.context_today(self)
        self.env.cr.execute(
            SQL(
                "SELECT company_id, array_agg(DISTINCT user_id) FROM sale_policy_delegation "
                "WHERE delegate_id = %s AND active AND date_from <= %s AND date_to >= %s "
                "AND company_id = ANY(%s) AND user_id != %s GROUP BY company_id",
                user_id,
                today,
                today,
                self.env.companies.ids,
                user_id,
            )
        )
        return dict(self.env.cr.fetchall())

    @api.model
    def _get_delegators(self, delegate, company):
        """Reviewers who delegated to `delegate` today."""
        today = fields.Date.context_today(self)
        return self.search(
            [
                ("delegate_id", "=", delegate.id),
                ("company_id", "=", company.id),
                ("date_from", "<=", today),
                ("date_to", ">=", today),
            ]
        ).user_id
