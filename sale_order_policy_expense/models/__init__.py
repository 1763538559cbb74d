from . import hr_expense_sheet
