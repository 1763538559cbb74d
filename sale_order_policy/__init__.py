from . import controllers, models, reports, tools, wizards
from .models.sale_policy_hash_chain_mixin import uninstall_hook  # noqa: F401
