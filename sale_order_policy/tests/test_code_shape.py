import ast
import re
from pathlib import Path

from odoo.tests import BaseCase, tagged

MODULE = Path(__file__).resolve().parent.parent
MAX_LINES = 60
SQL_TEXT = re.compile(
    r"^\s*(SELECT|WITH|UPDATE|INSERT|DELETE|CREATE)\b", re.IGNORECASE | re.MULTILINE
)


def production_files():
    for path in sorted(MODULE.rglob("*.py")):
        relative = path.relative_to(MODULE)
        if relative.parts[0] not in ("tests", "migrations"):
            yield relative, path


def sql_lines(node):
    """Lines of the function that are plain SQL text (a multi-line string literal)."""
    lines = set()
    for child in ast.walk(node):
        if (
            isinstance(child, ast.Constant)
            and isinstance(child.value, str)
            and SQL_TEXT.search(child.value)
        ):
            lines.update(range(child.lineno, child.end_lineno + 1))
    return lines


@tagged("post_install", "-at_install")
class TestCodeShape(BaseCase):
    """The module stays readable: no production function over 60 lines (plain SQL text
    excepted)."""

    def test_no_long_function(self):
        long_functions = []
        for relative, path in production_files():
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    body = set(range(node.lineno, node.end_lineno + 1)) - sql_lines(node)
                    if len(body) > MAX_LINES:
                        long_functions.append(f"{relative}:{node.lineno} {node.name} ({len(body)})")
        self.assertFalse(long_functions, "functions over 60 lines:\n" + "\n".join(long_functions))
