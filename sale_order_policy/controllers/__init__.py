from . import portal, statement_portal
