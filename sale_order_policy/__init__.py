from . import controllers, models, reports, wizards
