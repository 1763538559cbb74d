from . import controllers, models, reports, tools, wizards


def uninstall_hook(env):
    """The database guard has no Odoo model: its triggers, functions and table go here."""
    from .tools import database_guard

    database_guard.uninstall(env.cr)
