import contextvars
from contextlib import contextmanager

from odoo import api, models
from odoo.exceptions import UserError

# Set only for the duration of a policy engine call, never from a request: no context
# key, RPC argument or sudo() can turn it on.
_PRIVILEGED = contextvars.ContextVar("sale_order_policy_privileged", default=False)


@contextmanager
def policy_privileged():
    token = _PRIVILEGED.set(True)
    try:
        yield
    finally:
        _PRIVILEGED.reset(token)


def is_policy_privileged():
    return _PRIVILEGED.get()


def policy_engine_defaults(model, defaults, names):
    """`defaults` (from `default_get`) with engine fields `names` back to their own
    default: neither context keys (`default_state`...) nor user defaults reach them."""
    if not is_policy_privileged():
        for name in set(names) & set(defaults):
            field = model._fields[name]
            defaults[name] = field.default(model) if field.default else False
    return defaults


# The document (picking, invoice, wizard...) on whose behalf Odoo itself is changing a
# confirmed order: set by the module's overrides of those flows, never from a request.
_SYSTEM_CAUSE = contextvars.ContextVar("sale_order_policy_system_cause", default=None)


@contextmanager
def policy_system_change(cause):
    """Odoo's own work on behalf of `cause` (a record or a label) may change orders."""
    token = _SYSTEM_CAUSE.set(_SYSTEM_CAUSE.get() or cause)
    try:
        yield
    finally:
        _SYSTEM_CAUSE.reset(token)


def policy_system_cause():
    """A label of the document Odoo is working for, or None."""
    cause = _SYSTEM_CAUSE.get()
    if cause is None or isinstance(cause, str):
        return cause
    return ", ".join(cause.sudo().mapped("display_name")) or cause._description


class SalePolicyProtectedMixin(models.AbstractModel):
    """Records only the policy engine creates and changes (reviews, checks, logs)."""

    _name = "sale.policy.protected.mixin"
    _description = "Sales Policy Engine-Owned Record"

    # Fields a user may still write directly (e.g. notes); everything else is engine-only.
    _policy_free_fields = frozenset()
    # Append-only records can never be written or deleted, not even by the engine.
    _policy_append_only = False

    def _policy_refuse(self):
        raise UserError(
            self.env._(
                "%(model)s records are managed by the sales order policy and cannot be "
                "created, changed or deleted directly.",
                model=self._description,
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        if not is_policy_privileged():
            self._policy_refuse()
        return super().create(vals_list)

    def write(self, vals):
        if self._policy_append_only or (
            not is_policy_privileged() and set(vals) - self._policy_free_fields
        ):
            self._policy_refuse()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_policy_record(self):
        if self._policy_append_only or not is_policy_privileged():
            self._policy_refuse()
