from odoo import api, fields, models

# What a line's hash covers (sale.policy.hash.chain.mixin): never change it, the hashes of
# existing lines were computed over it.
CHAIN_FIELDS = [
    "company_id",
    "res_model",
    "res_id",
    "record_name",
    "event",
    "field_name",
    "field_description",
    "old_value",
    "new_value",
    "user_id",
    "date",
]


class SalePolicyConfigLog(models.Model):
    """The rulebook's history (制度变更记录): every change to the policy's configuration,
    who made it and when, old → new. Append-only: nobody edits or deletes a line, and each
    line is hash-chained to the previous line of its company."""

    _name = "sale.policy.config.log"
    _inherit = ["sale.policy.protected.mixin", "sale.policy.hash.chain.mixin"]
    _description = "Sales Policy Configuration Log"
    _order = "date desc, id desc"
    _rec_name = "record_name"
    _policy_append_only = True

    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True, index=True)
    user_id = fields.Many2one(
        "res.users", string="Changed by", default=lambda self: self.env.user, readonly=True
    )
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    res_model = fields.Char(string="Model", required=True, readonly=True, index=True)
    res_model_name = fields.Char(string="Setting", compute="_compute_res_model_name")
    res_id = fields.Many2oneReference(string="Record ID", model_field="res_model", readonly=True)
    record_name = fields.Char(string="Record", readonly=True)
    event = fields.Selection(
        [("create", "Created"), ("write", "Changed"), ("unlink", "Deleted")],
        required=True,
        readonly=True,
    )
    field_name = fields.Char(string="Field", readonly=True)
    field_description = fields.Char(string="What", readonly=True)
    old_value = fields.Text(readonly=True)
    new_value = fields.Text(readonly=True)

    @api.depends("res_model")
    def _compute_res_model_name(self):
        names = {model: self.env[model]._description for model in set(self.mapped("res_model"))}
        for line in self:
            line.res_model_name = names.get(line.res_model, line.res_model)

    @api.model
    def _policy_chain_fields(self):
        return CHAIN_FIELDS

    @api.model
    def _policy_chain_label(self, line):
        record = line.record_name or "%s,%s" % (line.res_model, line.res_id)
        field = line.field_description or line.field_name or line.event
        return self.env._(
            "line %(id)s (%(record)s, %(field)s, %(date)s)",
            id=line.id,
            record=record,
            field=field,
            date=fields.Datetime.to_string(line.date),
        )

    def action_open_record(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
            "context": {"active_test": False},
        }
