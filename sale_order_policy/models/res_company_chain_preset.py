from odoo import api, fields, models
from odoo.fields import Command
from odoo.tools import LazyTranslate

_lt = LazyTranslate(__name__)

CHAIN_PRESETS = [
    ("full", "Full chain: sales head → finance → general manager on every order"),
    ("thresholds", "Thresholds: finance and general manager above amounts or on failed checks"),
    ("head_only", "Sales head only"),
    ("none", "None: the policy administrator defines every rule"),
]

GROUPS = {
    "finance": "sale_order_policy.group_finance_reviewer",
    "warehouse": "sale_order_policy.group_warehouse_reviewer",
    "logistics": "sale_order_policy.group_logistics_reviewer",
    "purchase": "sale_order_policy.group_purchase_reviewer",
    "management": "sale_order_policy.group_general_manager",
}


def _step(key, name, sequence, department, **values):
    return {"key": key, "name": name, "sequence": sequence, "department": department, **values}


def _head(sequence=10):
    return _step("sales_head", _lt("Sales Head Review"), sequence, "sales")


def _department(key, name, sequence, department, checks=()):
    return _step(key, name, sequence, department, group=department, checks=checks)


def _departments(sequence, on_checks):
    """The departments reviewing in parallel: on every order, or when their checks fail."""
    checks = {
        "warehouse": ("stock", "delivery_date"),
        "purchase": ("supply",),
        "logistics": (),
    }
    names = {
        "warehouse": _lt("Warehouse Review"),
        "logistics": _lt("Logistics Review"),
        "purchase": _lt("Purchasing Review"),
    }
    return [
        _department(dep, names[dep], sequence, dep, checks=checks[dep] if on_checks else ())
        for dep in ("warehouse", "logistics", "purchase")
        if not on_checks or checks[dep]
    ]


def _subject_steps():
    """Steps of the other subjects: change and cancellation requests, rule changes, 奖惩."""
    return [
        _step("change_head", _lt("Change: Sales Head Review"), 10, "sales", applies_to="change"),
        _step(
            "change_finance",
            _lt("Change: Finance Approval of Increases"),
            20,
            "finance",
            applies_to="change",
            group="finance",
            change_condition="increase",
            change_increase_percent=10,
        ),
        _step(
            "change_gm",
            _lt("Change: General Manager Approval of Price Cuts"),
            30,
            "management",
            applies_to="change",
            group="management",
            change_condition="price_cut",
        ),
        _step(
            "cancel_head", _lt("Cancellation: Sales Head Review"), 10, "sales", applies_to="cancel"
        ),
        _step(
            "rule_change_gm",
            _lt("Rule Change: General Manager Approval"),
            10,
            "management",
            applies_to="rule_change",
            group="management",
        ),
        _step(
            "reward_penalty_gm",
            _lt("Reward/Penalty: General Manager Approval"),
            10,
            "management",
            applies_to="reward_penalty",
            group="management",
        ),
        _step(
            "cancel_finance",
            _lt("Cancellation: Finance Approval"),
            20,
            "finance",
            applies_to="cancel",
            group="finance",
        ),
    ]


def preset_steps(preset):
    """The rules of a preset, as plain values (see `_step`)."""
    if preset == "none":
        return []
    finance = _lt("Finance Approval")
    manager = _lt("General Manager Approval")
    if preset == "full":
        steps = [
            _head(),
            _step("finance", finance, 20, "finance", group="finance"),
            *_departments(20, on_checks=False),
            _step("general_manager", manager, 30, "management", group="management"),
        ]
    elif preset == "thresholds":
        steps = [
            _head(),
            _step(
                "finance",
                finance,
                20,
                "finance",
                group="finance",
                match_mode="any",
                amount_min=50000,
                checks=("credit", "price", "payment_term"),
            ),
            *_departments(20, on_checks=True),
            _step(
                "general_manager", manager, 30, "management", group="management", amount_min=200000
            ),
        ]
    else:
        steps = [_head(), *_departments(10, on_checks=True)]
    return steps + _subject_steps()


class ResCompany(models.Model):
    _inherit = "res.company"

    sale_policy_chain_preset = fields.Selection(
        CHAIN_PRESETS,
        string="Approval Chain Preset",
        default="thresholds",
        required=True,
        help="The chain a new company starts with, and the one Settings applies again.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        """A new company gets what the policy needs from the module itself, whatever the
        rights of its creator: its preset chain and its aging periods."""
        companies = super().create(vals_list)
        for company in companies:
            company._sale_policy_apply_chain_preset(company.sale_policy_chain_preset)
        companies._sale_policy_give_aging_periods()
        return companies

    def _sale_policy_rules_edited(self):
        """Active rules of this company that no preset made, or that were edited since."""
        self.ensure_one()
        rules = self.env["sale.policy.rule"].search([("company_id", "=", self.id)])
        return rules.filtered(lambda rule: rule.preset_signature != rule._preset_signature())

    def _sale_policy_apply_chain_preset(self, preset):
        """Archive the company's rules and create the preset's. Returns the new rules."""
        self.ensure_one()
        Rule = self.env["sale.policy.rule"].sudo().with_context(lang="en_US")
        steps = [step for step in preset_steps(preset) if self._sale_policy_step_possible(step)]
        Rule.search([("company_id", "=", self.id)]).active = False
        rules = Rule.create([self._sale_policy_step_values(step) for step in steps])
        langs = [code for code, _name in self.env["res.lang"].get_installed() if code != "en_US"]
        for rule, step in zip(rules, steps, strict=True):
            if langs:
                rule.update_field_translations(
                    "name", {lang: step["name"]._translate(lang) for lang in langs}
                )
            rule.preset_signature = rule._preset_signature()
        self.sale_policy_chain_preset = preset
        return rules

    def _sale_policy_step_possible(self, step):
        group = step.get("group")
        if group and not self.env.ref(GROUPS[group], raise_if_not_found=False):
            return False
        rule_fields = self.env["sale.policy.rule"]._fields
        if step.get("applies_to", "order") not in dict(
            rule_fields["applies_to"]._description_selection(self.env)
        ):
            return False
        return all(self._sale_policy_check_type(code) for code in step.get("checks", ()))

    def _sale_policy_check_type(self, code):
        return self.env.ref(f"sale_order_policy.check_type_{code}", raise_if_not_found=False)

    def _sale_policy_step_values(self, step):
        values = {
            "name": str(step["name"]._translate("en_US")),
            "company_id": self.id,
            "sequence": step["sequence"],
            "department": step["department"],
            "applies_to": step.get("applies_to", "order"),
            "match_mode": step.get("match_mode", "all"),
            "amount_min": step.get("amount_min", 0.0),
            "sla_hours": self.sale_policy_sla_hours or 24.0,
            "reviewer_type": "group" if step.get("group") else "team_leader",
        }
        if step.get("group"):
            values["reviewer_group_id"] = self.env.ref(GROUPS[step["group"]]).id
        if step.get("checks"):
            types = [self._sale_policy_check_type(code).id for code in step["checks"]]
            values["check_type_ids"] = [Command.set(types)]
        for extra in ("change_condition", "change_increase_percent"):
            if extra in step:
                values[extra] = step[extra]
        return values

    @api.model
    def _sale_policy_install_chain_presets(self):
        """At install: every company without rules gets its preset (the first company has
        the shipped data rules)."""
        with_rules = (
            self.env["sale.policy.rule"]
            .with_context(active_test=False)
            ._read_group([], ["company_id"])
        )
        done = {company.id for (company,) in with_rules}
        for company in self.search([("id", "not in", list(done))]):
            company._sale_policy_apply_chain_preset(company.sale_policy_chain_preset)
