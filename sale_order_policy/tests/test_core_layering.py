import ast
import re

from odoo.tests import BaseCase, tagged
from odoo.tools.misc import file_path

# The review engine and the order's core: features extend them, never the other way round.
CORE_FILES = [
    "models/sale_policy_reviewable_mixin.py",
    "models/sale_policy_protected_mixin.py",
    "models/sale_policy_review.py",
    "models/sale_policy_review_sla.py",
    "models/sale_policy_rule.py",
    "models/sale_policy_log.py",
    "models/sale_order.py",
]
# Selection keys of features (applies_to, log events, change types): never a string of
# the core.
FEATURE_KEYS = {
    "change",
    "cancel",
    "amend",
    "change_request",
    "cancel_request",
    "change_withdraw",
    "apply",
    "revision",
    "override",
    "exception",
    "sale.policy.change",
    "sale.policy.exception",
}
# Fragments of identifiers (fields, methods, variables) that belong to a feature.
FEATURE_NAME_FRAGMENTS = (
    "change_id",
    "change_type",
    "change_request",
    "cancel_request",
    "cancel_reason",
    "exception",
    "dunning",
    "rating",
    "settlement",
    "revision",
    "handoff",
    "hand_off",
)
# Words of features in any text of the core (messages, docstrings).
FEATURE_WORDS = re.compile(
    r"\b(change requests?|request change|cancellation|exceptions?|dunning|rating|"
    r"settlements?|revisions?|hand-off|handoff)\b",
    re.IGNORECASE,
)


def _identifiers(node):
    if isinstance(node, ast.Name):
        yield node.id
    elif isinstance(node, ast.Attribute):
        # `_logger.exception()` is Python's logging, not the exception feature.
        if not (isinstance(node.value, ast.Name) and node.value.id == "_logger"):
            yield node.attr
    elif isinstance(node, ast.FunctionDef | ast.ClassDef):
        yield node.name
    elif isinstance(node, ast.arg) or isinstance(node, ast.keyword) and node.arg:
        yield node.arg


@tagged("post_install", "-at_install")
class TestCoreLayering(BaseCase):
    """The core engine files name no feature: a feature (change requests, exceptions,
    settlement...) joins through `selection_add`, hooks and its own files."""

    def _findings(self, path):
        with open(file_path(f"sale_order_policy/{path}"), encoding="utf-8") as source:
            tree = ast.parse(source.read(), path)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom | ast.Import):
                continue
            for name in _identifiers(node):
                for fragment in FEATURE_NAME_FRAGMENTS:
                    if fragment in name:
                        yield f"{path}:{node.lineno}: name {name!r} ({fragment})"
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if node.value in FEATURE_KEYS:
                    yield f"{path}:{node.lineno}: key {node.value!r}"
                match = FEATURE_WORDS.search(node.value)
                if match:
                    yield f"{path}:{node.lineno}: text {match.group(0)!r}"

    def test_core_files_name_no_feature(self):
        findings = [finding for path in CORE_FILES for finding in self._findings(path)]
        self.assertEqual(findings, [], "the core names a feature:\n" + "\n".join(findings))

    def test_the_check_finds_features(self):
        """The check itself: a core-like source naming a feature is reported."""
        tree = ast.parse('def f(review):\n    return review.change_id or "cancel"\n')
        names = {name for node in ast.walk(tree) for name in _identifiers(node)}
        strings = {
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        }
        self.assertIn("change_id", names)
        self.assertTrue(strings & FEATURE_KEYS)
