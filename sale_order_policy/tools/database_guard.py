"""The policy's promise at the lowest layer: PostgreSQL refuses, at COMMIT, what the
engine did not let through (issue #24).

Python keeps giving the clear, translated message first; these deferred constraint
triggers are the backstop for every other path (SQL, a method nobody overrode, another
module). They look only at orders of companies with the policy on: with the policy off
they return at once, and Odoo behaves as without the module.

The engine records what it let through in `sale_policy_gate_pass`, a table without an
Odoo model (no ORM call, RPC or record rule can reach it), keyed by `txid_current()`: a
pass counts only in the transaction that wrote it, and is rolled back with it. Old rows
are removed by a cron (`sale.order._cron_policy_gate_pass_cleanup`).

Kinds of pass: `confirm` (the gate of `_policy_confirmation_blocker()` passed), `content`
(a change request was applied, or a document flow of Odoo changed a confirmed order and
was logged), `company` (the engine moved the order to another company).
"""

# Columns of the approved content a confirmed order keeps (see _policy_content()).
ORDER_CONTENT_COLUMNS = (
    "partner_id",
    "partner_shipping_id",
    "currency_id",
    "pricelist_id",
    "company_id",
    "commitment_date",
)
LINE_CONTENT_COLUMNS = ("product_id", "product_uom_qty", "price_unit", "discount", "product_uom")

TRIGGERS = {
    "sale_order": (
        "sale_policy_confirm_insert",
        "sale_policy_confirm_update",
        "sale_policy_leave_sale",
        "sale_policy_company",
        "sale_policy_order_content",
    ),
    "sale_order_line": (
        "sale_policy_line_state",
        "sale_policy_line_content_update",
        "sale_policy_line_content_insert",
    ),
}
FUNCTIONS = (
    "sale_policy_on(integer)",
    "sale_policy_has_pass(integer, text)",
    "sale_policy_guard_confirm()",
    "sale_policy_guard_leave_sale()",
    "sale_policy_guard_company()",
    "sale_policy_guard_order_content()",
    "sale_policy_guard_line_state()",
    "sale_policy_guard_line_content()",
)

TABLE_SQL = """
CREATE TABLE IF NOT EXISTS sale_policy_gate_pass (
    txid bigint NOT NULL,
    order_id integer NOT NULL,
    kind varchar NOT NULL
);
CREATE INDEX IF NOT EXISTS sale_policy_gate_pass_txid_order_idx
    ON sale_policy_gate_pass (txid, order_id);
"""

FUNCTIONS_SQL = """
CREATE OR REPLACE FUNCTION sale_policy_on(p_company integer) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN COALESCE(
        (SELECT sale_policy_enabled FROM res_company WHERE id = p_company), false);
END $$;

CREATE OR REPLACE FUNCTION sale_policy_has_pass(p_order integer, p_kind text) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN EXISTS (
        SELECT 1 FROM sale_policy_gate_pass
         WHERE txid = txid_current() AND order_id = p_order AND kind = p_kind);
END $$;

-- An order of a policy company enters state 'sale' only through the engine's gate.
CREATE OR REPLACE FUNCTION sale_policy_guard_confirm() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF sale_policy_on(NEW.company_id) AND NOT sale_policy_has_pass(NEW.id, 'confirm') THEN
        RAISE EXCEPTION
            'Sales order policy: order % (id %) entered state sale without passing the '
            'approval gate', NEW.name, NEW.id
            USING ERRCODE = 'check_violation',
                  HINT = 'Submit the order for review and confirm it once approved.';
    END IF;
    RETURN NULL;
END $$;

-- An order leaving 'sale' takes its lines along: no line stays 'sale' (a 'sale' line
-- reserves and delivers).
CREATE OR REPLACE FUNCTION sale_policy_guard_leave_sale() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF sale_policy_on(NEW.company_id) AND EXISTS (
        SELECT 1 FROM sale_order o JOIN sale_order_line l ON l.order_id = o.id
         WHERE o.id = NEW.id AND l.state = 'sale' AND o.state IS DISTINCT FROM 'sale'
    ) THEN
        RAISE EXCEPTION
            'Sales order policy: order % (id %) is not confirmed but has confirmed lines',
            NEW.name, NEW.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

-- A line is 'sale' only when its order is.
CREATE OR REPLACE FUNCTION sale_policy_guard_line_state() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_order record;
BEGIN
    SELECT o.id, o.name, o.state, o.company_id INTO v_order
      FROM sale_order_line l JOIN sale_order o ON o.id = l.order_id
     WHERE l.id = NEW.id AND l.state = 'sale';
    IF FOUND AND v_order.state IS DISTINCT FROM 'sale' AND sale_policy_on(v_order.company_id)
    THEN
        RAISE EXCEPTION
            'Sales order policy: line % of order % (id %) is in state sale while its order '
            'is in state %', NEW.id, v_order.name, v_order.id, v_order.state
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

-- An order under review, approved or confirmed stays in its company unless the engine
-- moved it.
CREATE OR REPLACE FUNCTION sale_policy_guard_company() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (sale_policy_on(OLD.company_id) OR sale_policy_on(NEW.company_id))
       AND NOT sale_policy_has_pass(NEW.id, 'company') THEN
        RAISE EXCEPTION
            'Sales order policy: order % (id %) is under review, approved or confirmed and '
            'cannot move from company % to company %', NEW.name, NEW.id, OLD.company_id,
            NEW.company_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

-- What was approved on a confirmed order changes only through a change request or a
-- document flow of Odoo that the engine logged.
CREATE OR REPLACE FUNCTION sale_policy_guard_order_content() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (sale_policy_on(OLD.company_id) OR sale_policy_on(NEW.company_id))
       AND NOT sale_policy_has_pass(NEW.id, 'content') THEN
        RAISE EXCEPTION
            'Sales order policy: the approved content of confirmed order % (id %) changed '
            'without a change request', NEW.name, NEW.id
            USING ERRCODE = 'check_violation',
                  HINT = 'Use Request Change on the order.';
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION sale_policy_guard_line_content() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_order record;
BEGIN
    SELECT id, name, company_id INTO v_order FROM sale_order WHERE id = NEW.order_id;
    IF FOUND AND sale_policy_on(v_order.company_id)
       AND NOT sale_policy_has_pass(v_order.id, 'content') THEN
        RAISE EXCEPTION
            'Sales order policy: the approved lines of confirmed order % (id %) changed '
            'without a change request (line %)', v_order.name, v_order.id, NEW.id
            USING ERRCODE = 'check_violation',
                  HINT = 'Use Request Change on the order.';
    END IF;
    RETURN NULL;
END $$;
"""


def _distinct(columns):
    return " OR ".join(f"OLD.{col} IS DISTINCT FROM NEW.{col}" for col in columns)


# A down payment line with no quantity is not approved content (_policy_is_approved_content).
_LINE_IS_CONTENT = """NEW.display_type IS NULL
    AND NOT (COALESCE(NEW.is_downpayment, false) AND NEW.product_uom_qty = 0)"""

_ORDER_COLUMNS = ", ".join(ORDER_CONTENT_COLUMNS)
_LINE_COLUMNS = ", ".join(LINE_CONTENT_COLUMNS)

TRIGGERS_SQL = f"""
CREATE CONSTRAINT TRIGGER sale_policy_confirm_insert
    AFTER INSERT ON sale_order DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.state = 'sale')
    EXECUTE FUNCTION sale_policy_guard_confirm();
CREATE CONSTRAINT TRIGGER sale_policy_confirm_update
    AFTER UPDATE OF state ON sale_order DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.state = 'sale' AND OLD.state IS DISTINCT FROM 'sale')
    EXECUTE FUNCTION sale_policy_guard_confirm();
CREATE CONSTRAINT TRIGGER sale_policy_leave_sale
    AFTER UPDATE OF state ON sale_order DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.state = 'sale' AND NEW.state IS DISTINCT FROM 'sale')
    EXECUTE FUNCTION sale_policy_guard_leave_sale();
CREATE CONSTRAINT TRIGGER sale_policy_company
    AFTER UPDATE OF company_id ON sale_order DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.company_id IS DISTINCT FROM NEW.company_id
          AND (OLD.state = 'sale' OR NEW.state = 'sale'
               OR OLD.approval_state IN ('pending', 'approved')
               OR NEW.approval_state IN ('pending', 'approved')))
    EXECUTE FUNCTION sale_policy_guard_company();
CREATE CONSTRAINT TRIGGER sale_policy_order_content
    AFTER UPDATE OF {_ORDER_COLUMNS} ON sale_order
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.state = 'sale' AND NEW.state = 'sale' AND ({_distinct(ORDER_CONTENT_COLUMNS)}))
    EXECUTE FUNCTION sale_policy_guard_order_content();
CREATE CONSTRAINT TRIGGER sale_policy_line_state
    AFTER INSERT OR UPDATE OF state, order_id ON sale_order_line
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.state = 'sale')
    EXECUTE FUNCTION sale_policy_guard_line_state();
CREATE CONSTRAINT TRIGGER sale_policy_line_content_update
    AFTER UPDATE OF {_LINE_COLUMNS} ON sale_order_line
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.state = 'sale' AND NEW.state = 'sale'
          AND (({_LINE_IS_CONTENT}) OR (OLD.display_type IS NULL
               AND NOT (COALESCE(OLD.is_downpayment, false) AND OLD.product_uom_qty = 0)))
          AND ({_distinct(LINE_CONTENT_COLUMNS)}))
    EXECUTE FUNCTION sale_policy_guard_line_content();
CREATE CONSTRAINT TRIGGER sale_policy_line_content_insert
    AFTER INSERT ON sale_order_line DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.state = 'sale' AND {_LINE_IS_CONTENT})
    EXECUTE FUNCTION sale_policy_guard_line_content();
"""


def _drop_triggers_sql():
    return "".join(
        f"DROP TRIGGER IF EXISTS {name} ON {table};\n"
        for table, names in TRIGGERS.items()
        for name in names
    )


def install(cr):
    """Create (or replace) the table, functions and triggers; idempotent."""
    cr.execute(TABLE_SQL)
    cr.execute(FUNCTIONS_SQL)
    cr.execute(_drop_triggers_sql())
    cr.execute(TRIGGERS_SQL)


def uninstall(cr):
    """Remove everything `install` created (uninstall hook)."""
    cr.execute(_drop_triggers_sql())
    cr.execute("".join(f"DROP FUNCTION IF EXISTS {func};\n" for func in FUNCTIONS))
    cr.execute("DROP TABLE IF EXISTS sale_policy_gate_pass")
