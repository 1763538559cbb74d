import base64

from odoo import api, models

from .sale_policy_protected_mixin import is_policy_privileged

# Writing these replaces the content of a file; writing `raw` / `datas` does only when the
# content differs (Odoo's storage migration rewrites the same bytes).
STORAGE_FIELDS = frozenset({"db_datas", "store_fname", "url", "type"})
OWNER_FIELDS = ("res_model", "res_id")
WATCHED_FIELDS = STORAGE_FIELDS | {"raw", "datas", *OWNER_FIELDS}


class IrAttachment(models.Model):
    """The customer confirmation evidence of a submitted order (`sale.order`
    `customer_confirmation_attachment_ids`) is neither deleted nor overwritten, whatever the
    path (form, chatter, RPC, sudo)."""

    _inherit = "ir.attachment"

    @api.ondelete(at_uninstall=False)
    def _unlink_except_policy_evidence(self):
        self._policy_check_not_evidence()

    def write(self, vals):
        if not is_policy_privileged() and WATCHED_FIELDS & set(vals):
            orders = self.env["sale.order"]._policy_evidence_orders(self.ids)
            if orders and self._policy_replaces(vals):
                orders.sudo()._policy_refuse_evidence_change()
        return super().write(vals)

    def _policy_replaces(self, vals):
        if STORAGE_FIELDS & set(vals):
            return True
        for fname in ("raw", "datas"):
            if fname in vals:
                content = vals[fname] or b""
                if fname == "datas":
                    content = base64.b64decode(content)
                elif isinstance(content, str):
                    content = content.encode()
                checksum = self._compute_checksum(content)
                if any(record.checksum != checksum for record in self.sudo()):
                    return True
        return any(
            fname in vals and any(record[fname] != vals[fname] for record in self)
            for fname in OWNER_FIELDS
        )

    def _policy_check_not_evidence(self):
        if is_policy_privileged() or not self.ids:
            return
        orders = self.env["sale.order"]._policy_evidence_orders(self.ids)
        if orders:
            orders.sudo()._policy_refuse_evidence_change()
