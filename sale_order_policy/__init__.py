from . import controllers, models, reports, tools, wizards
