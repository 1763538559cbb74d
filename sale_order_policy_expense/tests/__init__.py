from . import test_expense_reinvoice
