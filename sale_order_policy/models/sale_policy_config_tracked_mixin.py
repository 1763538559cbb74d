from odoo import api, models
from odoo.tools import html2plaintext

from .sale_policy_protected_mixin import policy_privileged

UNTRACKED = {"id", "display_name", "create_uid", "create_date", "write_uid", "write_date"}
CHATTER_TYPES = {
    "integer",
    "float",
    "char",
    "text",
    "datetime",
    "monetary",
    "date",
    "boolean",
    "selection",
    "many2one",
    "many2many",
}


class SalePolicyConfigTrackedMixin(models.AbstractModel):
    """Policy configuration whose every change is kept: in the record's chatter (Odoo's
    tracking) and in the append-only configuration log, whatever the path (form, RPC,
    import, code). Every stored field a user can set is tracked, not a list."""

    _name = "sale.policy.config.tracked.mixin"
    _description = "Sales Policy Tracked Configuration"
    _policy_config_log_creation = True

    def _policy_config_fields(self):
        return [
            name
            for name, field in self._fields.items()
            if field.store
            and not field.compute
            and not field.automatic
            and name not in UNTRACKED
            and not name.startswith(("message_", "activity_", "rating_", "website_message"))
            and field.type not in ("one2many", "binary")
        ]

    def _track_get_fields(self):
        tracked = super()._track_get_fields() or set()
        chatter = {
            name
            for name in self._policy_config_fields()
            if self._fields[name].type in CHATTER_TYPES
        }
        return tracked | chatter

    def _policy_config_company(self):
        return self.company_id if "company_id" in self._fields else self.env["res.company"]

    def _policy_config_display(self, field_name):
        """A field's value as the log shows it, in the user's language."""
        self.ensure_one()
        field = self._fields[field_name]
        value = self[field_name]
        if field.type in ("many2one", "many2many"):
            return ", ".join(value.mapped("display_name"))
        if field.type == "selection":
            return dict(field._description_selection(self.env)).get(value, value or "")
        if field.type == "html":
            return html2plaintext(value or "")
        if field.type == "boolean":
            return self.env._("Yes") if value else self.env._("No")
        return "" if value is False or value is None else str(value)

    def _policy_config_snapshot(self, names):
        return {
            record.id: {name: record._policy_config_display(name) for name in names}
            for record in self
        }

    def _policy_config_log(self, entries):
        with policy_privileged():
            self.env["sale.policy.config.log"].sudo().create(entries)

    def _policy_config_entry(self, event, field_name=None, old=None, new=None):
        self.ensure_one()
        field = self._fields.get(field_name) if field_name else None
        return {
            "company_id": self._policy_config_company().id,
            "res_model": self._name,
            "res_id": self.id,
            "record_name": self.display_name,
            "event": event,
            "field_name": field_name,
            "field_description": field and field._description_string(self.env),
            "old_value": old,
            "new_value": new,
        }

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        if self._policy_config_log_creation:
            records._policy_config_log(
                [record._policy_config_entry("create") for record in records]
            )
        return records

    def write(self, vals):
        names = [name for name in self._policy_config_fields() if name in vals]
        if not names:
            return super().write(vals)
        before = self._policy_config_snapshot(names)
        result = super().write(vals)
        after = self._policy_config_snapshot(names)
        self._policy_config_log(
            [
                record._policy_config_entry("write", name, before[record.id][name], new)
                for record in self
                for name, new in after[record.id].items()
                if new != before[record.id][name]
            ]
        )
        return result

    @api.ondelete(at_uninstall=False)
    def _policy_config_log_unlink(self):
        self._policy_config_log([record._policy_config_entry("unlink") for record in self])
