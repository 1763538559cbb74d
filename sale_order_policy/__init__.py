from . import controllers, models, reports, tools, wizards
from .models.sale_policy_hash_chain_mixin import uninstall_hook as _uninstall_hash_chain


def uninstall_hook(env):
    """What has no Odoo model goes here: the database guard (triggers, functions, passes
    table) and the head table of the log chains."""
    from .tools import database_guard  # noqa: PLC0415

    database_guard.uninstall(env.cr)
    _uninstall_hash_chain(env)
