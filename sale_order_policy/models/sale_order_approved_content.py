from odoo import api, fields, models
from odoo.tools.misc import formatLang

from ..tools.many2many import link_pairs


class SaleOrder(models.Model):
    """What the reviewers approved (审批内容): a snapshot taken at submission, compared with
    the order however it changes, so that only the approved version is ever confirmed."""

    _inherit = "sale.order"

    policy_approved_content = fields.Json(
        string="Approved Version",
        readonly=True,
        copy=False,
        prefetch=False,
        groups="base.group_user",
        help="Header, lines and totals as submitted for review (and approved).",
    )
    # Salespeople, creators and submitters of every round: none of them may ever decide.
    policy_party_user_ids = fields.Many2many(
        "res.users",
        "sale_order_policy_party_rel",
        "order_id",
        "user_id",
        string="Order Parties",
        readonly=True,
        copy=False,
        prefetch=False,
        groups="base.group_user",
        context={"active_test": False},
    )

    # ------------------------------------------------------------------
    # What is approved (overridable: another module adds its own fields)
    # ------------------------------------------------------------------

    @api.model
    def _policy_approved_header_fields(self):
        return [
            "partner_id",
            "partner_invoice_id",
            "partner_shipping_id",
            "pricelist_id",
            "currency_id",
            "payment_term_id",
            "commitment_date",
            "company_id",
            "user_id",
            "team_id",
            "fiscal_position_id",
        ]

    @api.model
    def _policy_approved_address_fields(self):
        """Contacts whose address itself is approved (the goods go there, the invoice
        names it), not only which contact is chosen."""
        return ["partner_invoice_id", "partner_shipping_id"]

    @api.model
    def _policy_approved_total_fields(self):
        return ["amount_untaxed", "amount_tax", "amount_total"]

    def _policy_approved_lines(self):
        """The lines whose content is approved: not sections, notes or genuine down
        payments (quantity zero; a flagged line with a quantity is content like any other)."""
        self.ensure_one()
        return self.order_line.filtered(lambda line: line._policy_is_approved_content())

    @staticmethod
    def _policy_plain(record, fname):
        """A JSON-comparable form of one field value."""
        field = record._fields[fname]
        value = record[fname]
        if field.type == "many2one":
            return value.id or False
        if field.type in ("many2many", "one2many"):
            return sorted(value.ids)
        if field.type in ("float", "monetary"):
            return round(value or 0.0, 6)
        if field.type == "datetime":
            return fields.Datetime.to_string(value) if value else False
        if field.type == "date":
            return fields.Date.to_string(value) if value else False
        return value or False

    def _policy_content(self):
        """The order as reviewers see it: header, approved lines and totals."""
        self.ensure_one()
        line_fields = self.env["sale.order.line"]._policy_approved_line_fields()
        return {
            "header": {
                f: self._policy_plain(self, f) for f in self._policy_approved_header_fields()
            },
            "lines": {
                str(line.id): {f: self._policy_plain(line, f) for f in line_fields}
                for line in self._policy_approved_lines()
            },
            "totals": {
                f: self._policy_plain(self, f) for f in self._policy_approved_total_fields()
            },
            "addresses": {
                f: self._policy_address_text(self[f])
                for f in self._policy_approved_address_fields()
            },
        }

    @staticmethod
    def _policy_address_text(partner):
        partner = partner.sudo()
        if not partner:
            return False
        return " / ".join(
            filter(None, [partner.name, partner._display_address(), partner.phone, partner.vat])
        )

    def _policy_store_approved_content(self):
        """Engine only: the current content becomes the version under review."""
        for order in self:
            order.sudo().policy_approved_content = order._policy_content()

    def _policy_add_parties(self):
        """Engine only: the salesperson, creator and submitter join the order's parties."""
        link_pairs(
            self,
            "policy_party_user_ids",
            [
                (order.id, user.id)
                for order in self
                for user in (order.user_id | order.create_uid | self.env.user)
            ],
        )

    # ------------------------------------------------------------------
    # Comparing
    # ------------------------------------------------------------------

    def _policy_content_changes(self, reference):
        """What differs between `reference` (a `_policy_content()`) and the order now, as
        sentences in the user's language. Empty when nothing differs."""
        self.ensure_one()
        if not reference:
            return []
        current = self._policy_content()
        changes = []
        for fname in self._policy_approved_header_fields():
            old, new = reference.get("header", {}).get(fname, False), current["header"][fname]
            if old != new:
                changes.append(self._policy_describe_change(self, fname, old, new))
        old_lines, new_lines = reference.get("lines", {}), current["lines"]
        Line = self.env["sale.order.line"].sudo()
        for key in sorted(set(old_lines) | set(new_lines), key=int):
            old, new = old_lines.get(key), new_lines.get(key)
            if old == new:
                continue
            label = self._policy_line_label(old or new)
            if not old:
                changes.append(self.env._("Line added: %(line)s", line=label))
            elif not new:
                changes.append(self.env._("Line removed: %(line)s", line=label))
            else:
                details = [
                    self._policy_describe_change(Line, fname, old.get(fname), new[fname])
                    for fname in new
                    if old.get(fname) != new[fname]
                ]
                changes.append(
                    self.env._("Line %(line)s: %(details)s", line=label, details="; ".join(details))
                )
        for fname in self._policy_approved_total_fields():
            old, new = reference.get("totals", {}).get(fname, False), current["totals"][fname]
            if old != new:
                changes.append(self._policy_describe_change(self, fname, old, new))
        old_addresses = reference.get("addresses")
        for fname, new in current["addresses"].items() if old_addresses is not None else ():
            old = old_addresses.get(fname, False)
            if old != new:
                changes.append(
                    self.env._(
                        "%(field)s (address): %(old)s → %(new)s",
                        field=self._fields[fname].get_description(self.env)["string"],
                        old=old or self.env._("(none)"),
                        new=new or self.env._("(none)"),
                    )
                )
        return changes

    def _policy_line_label(self, values):
        product = self.env["product.product"].sudo().browse(values.get("product_id") or [])
        qty = values.get("product_uom_qty", 0.0)
        return self.env._(
            "%(product)s × %(qty)s", product=product.exists().display_name or "?", qty=qty
        )

    def _policy_describe_change(self, model, fname, old, new):
        field = model._fields[fname]
        label = field.get_description(self.env)["string"]
        return self.env._(
            "%(field)s: %(old)s → %(new)s",
            field=label,
            old=self._policy_display_value(field, old),
            new=self._policy_display_value(field, new),
        )

    def _policy_display_value(self, field, value):
        if value is False or value is None or value == []:
            return self.env._("(none)")
        if field.type == "many2one":
            return self.env[field.comodel_name].sudo().browse(value).exists().display_name or "?"
        if field.type in ("many2many", "one2many"):
            records = self.env[field.comodel_name].sudo().browse(value).exists()
            return ", ".join(records.mapped("display_name")) or "?"
        return str(value)

    def _policy_approved_version(self):
        """The approved version, formatted for the approval sheet (current content before
        any submission)."""
        self.ensure_one()
        order = self.sudo()
        content = order.policy_approved_content or order._policy_content()
        currency = order.currency_id

        def money(value):
            return formatLang(self.env, value or 0.0, currency_obj=currency)

        lines = []
        for values in content.get("lines", {}).values():
            net = values["price_unit"] * (1 - (values["discount"] or 0.0) / 100.0)
            lines.append(
                {
                    "product": self.env["product.product"]
                    .sudo()
                    .browse(values["product_id"] or [])
                    .exists()
                    .display_name,
                    "qty": formatLang(
                        self.env, values["product_uom_qty"], dp="Product Unit of Measure"
                    ),
                    "uom": self.env["uom.uom"]
                    .sudo()
                    .browse(values["product_uom"] or [])
                    .exists()
                    .name,
                    "price_unit": money(values["price_unit"]),
                    "discount": formatLang(self.env, values["discount"] or 0.0, digits=2),
                    "taxes": ", ".join(
                        self.env["account.tax"]
                        .sudo()
                        .browse(values["tax_id"])
                        .exists()
                        .mapped("name")
                    ),
                    "subtotal": money(net * values["product_uom_qty"]),
                }
            )
        totals = content.get("totals", {})
        return {
            "lines": lines,
            "changes": order._policy_content_changes(order.policy_approved_content),
            **{fname: money(totals.get(fname)) for fname in self._policy_approved_total_fields()},
        }
