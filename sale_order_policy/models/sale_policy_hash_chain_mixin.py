import hashlib
import json
from datetime import datetime

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

# One row per (log table, company) chain: its last position. The appender's upsert of this
# row is the chain's lock; company 0 is the chain of lines without a company, company -1
# marks a table whose lines written before the chain existed have been chained.
HEAD_TABLE = "sale_policy_log_chain_head"
CHAINED_MARK = -1
BATCH_SIZE = 10000
# Problems listed per chain, beyond the first one (a wholesale rewrite is one message).
MAX_PROBLEMS = 20


def uninstall_hook(env):
    """The chains' head table is not a model's: Odoo would leave it behind."""
    env.cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(HEAD_TABLE)))


def policy_chain_value(value):
    """A value as the canonical string holds it: ids for relations, UTC text for dates,
    six decimals for amounts, None for every empty value (NULL, False, 0, '')."""
    if isinstance(value, models.BaseModel):
        value = value.id
    if not value:
        return None
    if isinstance(value, datetime):
        return fields.Datetime.to_string(value)
    if isinstance(value, float):
        return f"{value:.6f}"
    return value


def policy_chain_hash(sequence, previous_hash, values):
    """sha256 of the canonical string of a line: its position, the previous line's hash
    and its content (`values`: field name → value normalised by `policy_chain_value`)."""
    canonical = json.dumps(
        {"sequence": sequence, "previous_hash": previous_hash or "", "values": values},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class SalePolicyHashChainMixin(models.AbstractModel):
    """An append-only log that proves itself (issue #24): every line carries its position
    in its company's chain, the hash of the previous line and its own hash, computed over
    its immutable content and the previous hash, like the inalterability hash of posted
    journal entries. A line changed or deleted with SQL breaks the chain, and
    `_policy_chain_verify()` names where."""

    _name = "sale.policy.hash.chain.mixin"
    _description = "Sales Policy Hash-Chained Log"

    chain_sequence = fields.Integer(string="Chain Position", readonly=True, copy=False)
    chain_previous_hash = fields.Char(string="Previous Hash", readonly=True, copy=False)
    chain_hash = fields.Char(string="Record Hash", readonly=True, copy=False)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    def init(self):
        super().init()
        if self._abstract:
            return
        cr = self.env.cr
        cr.execute(
            SQL(
                "CREATE TABLE IF NOT EXISTS %s (log_table varchar NOT NULL, "
                "company_id integer NOT NULL, last_sequence integer NOT NULL, "
                "PRIMARY KEY (log_table, company_id))",
                SQL.identifier(HEAD_TABLE),
            )
        )
        cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS %s ON %s "
                "(COALESCE(company_id, 0), chain_sequence)",
                SQL.identifier(f"{self._table}_chain_index"),
                SQL.identifier(self._table),
            )
        )
        # Lines written before the chain existed (upgrade to 18.0.1.4.0) are chained once,
        # in id order; later unchained lines were written past the engine and stay so.
        cr.execute(
            SQL(
                "INSERT INTO %s (log_table, company_id, last_sequence) VALUES (%s, %s, 0) "
                "ON CONFLICT DO NOTHING RETURNING 1",
                SQL.identifier(HEAD_TABLE),
                self._table,
                CHAINED_MARK,
            )
        )
        if cr.fetchone():
            self._policy_chain_existing_lines()

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [self._add_missing_default_values(vals) for vals in vals_list]
        if vals_list:
            self._policy_chain_assign(vals_list)
        return super().create(vals_list)

    # ------------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------------

    @api.model
    def action_policy_verify_chain(self):
        """Verify button: recompute the chains of the user's companies and say what is
        broken."""
        if not (
            self.env.user.has_group("sale_order_policy.group_policy_admin")
            or self.env.user.has_group("sale_order_policy.group_general_manager")
        ):
            raise AccessError(
                self.env._("Only policy administrators and general managers verify the logs.")
            )
        companies = self.env.companies
        problems = self.sudo()._policy_chain_verify(companies.ids + [0])
        if problems:
            message = "\n".join(problem["message"] for problem in problems)
            title = self.env._("The log has been tampered with")
        else:
            message = self.env._(
                "Every line of %(log)s is in its chain and unchanged.",
                log=self._policy_chain_log_name(),
            )
            title = self.env._("Log verified")
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": message,
                "type": "danger" if problems else "success",
                "sticky": bool(problems),
            },
        }

    # ------------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------------

    @api.model
    def _policy_chain_fields(self):
        """The immutable fields a line's hash covers. Never change the list of a model
        with lines: their hashes were computed over it."""
        return []

    @api.model
    def _policy_chain_label(self, line):
        """How a problem names `line` (a record of this model, still there)."""
        return self.env._(
            "line %(id)s of %(date)s", id=line.id, date=fields.Datetime.to_string(line.date)
        )

    @api.model
    def _policy_chain_log_name(self):
        """The log's name in the user's language."""
        return self.env["ir.model"]._get(self._name).name

    @api.model
    def _policy_chain_line_hash(self, sequence, previous_hash, values):
        names = self._policy_chain_fields()
        return policy_chain_hash(
            sequence,
            previous_hash,
            {name: policy_chain_value(values.get(name)) for name in names},
        )

    @api.model
    def _policy_chain_assign(self, vals_list):
        """Give each new line (values with their defaults) its place in its company's
        chain. One query for the whole batch: it locks the companies' chains (upsert of
        their head rows, serialised by PostgreSQL: a concurrent appender waits, then gets
        a serialisation failure and is retried) and reads the hash each chain ends with."""
        names = self._policy_chain_fields()
        batches = {}
        normalised = []
        for vals in vals_list:
            for name in ("chain_sequence", "chain_previous_hash", "chain_hash"):
                vals.pop(name, None)
            # The values as the ORM stores them (amounts rounded to their currency).
            line = self.new({name: vals[name] for name in names if name in vals})
            normalised.append(
                {name: self._fields[name].convert_to_cache(vals.get(name), line) for name in names}
            )
            batches.setdefault(vals.get("company_id") or 0, []).append(len(normalised) - 1)
        heads = self._policy_chain_reserve({company: len(idx) for company, idx in batches.items()})
        for company, indexes in batches.items():
            sequence, previous_hash = heads[company]
            for index in indexes:
                sequence += 1
                line_hash = self._policy_chain_line_hash(sequence, previous_hash, normalised[index])
                vals_list[index].update(
                    chain_sequence=sequence,
                    chain_previous_hash=previous_hash or False,
                    chain_hash=line_hash,
                )
                previous_hash = line_hash

    @api.model
    def _policy_chain_reserve(self, counts):
        """{company id (0: none) → number of new lines} → {company id → (last position,
        last hash)} of the chain the new lines follow, whose positions are now reserved."""
        requests = SQL(", ").join(
            SQL("(%s, %s)", company, count) for company, count in sorted(counts.items())
        )
        self.env.cr.execute(
            SQL(
                """
                WITH request(company_id, n) AS (VALUES %(requests)s),
                head AS (
                    INSERT INTO %(head)s AS head (log_table, company_id, last_sequence)
                         SELECT %(table_name)s, company_id, n FROM request ORDER BY company_id
                    ON CONFLICT (log_table, company_id)
                    DO UPDATE SET last_sequence = head.last_sequence + EXCLUDED.last_sequence
                    RETURNING head.company_id, head.last_sequence
                )
                SELECT head.company_id, head.last_sequence - request.n,
                       (SELECT line.chain_hash FROM %(table)s line
                         WHERE COALESCE(line.company_id, 0) = head.company_id
                           AND line.chain_sequence = head.last_sequence - request.n)
                  FROM head JOIN request ON request.company_id = head.company_id
                """,
                requests=requests,
                head=SQL.identifier(HEAD_TABLE),
                table_name=self._table,
                table=SQL.identifier(self._table),
            )
        )
        return {
            company: (sequence, last_hash)
            for company, sequence, last_hash in self.env.cr.fetchall()
        }

    def _policy_chain_rows(self, company, after):
        """The next batch of chained lines of `company` (0: none) after position `after`."""
        columns = SQL(", ").join(SQL.identifier(name) for name in self._policy_chain_fields())
        self.env.cr.execute(
            SQL(
                "SELECT id, chain_sequence, chain_previous_hash, chain_hash, %s FROM %s "
                "WHERE COALESCE(company_id, 0) = %s AND chain_sequence > %s "
                "ORDER BY chain_sequence LIMIT %s",
                columns,
                SQL.identifier(self._table),
                company,
                after,
                BATCH_SIZE,
            )
        )
        return self.env.cr.dictfetchall()

    @api.model
    def _policy_chain_existing_lines(self):
        """Chain the lines written before the chain existed, per company in id order."""
        cr = self.env.cr
        columns = SQL(", ").join(SQL.identifier(name) for name in self._policy_chain_fields())
        cr.execute(
            SQL(
                "SELECT DISTINCT COALESCE(company_id, 0) FROM %s WHERE chain_sequence IS NULL",
                SQL.identifier(self._table),
            )
        )
        for (company,) in cr.fetchall():
            last_id = 0
            while True:
                cr.execute(
                    SQL(
                        "SELECT id, %s FROM %s WHERE COALESCE(company_id, 0) = %s "
                        "AND chain_sequence IS NULL AND id > %s ORDER BY id LIMIT %s",
                        columns,
                        SQL.identifier(self._table),
                        company,
                        last_id,
                        BATCH_SIZE,
                    )
                )
                rows = cr.dictfetchall()
                if not rows:
                    break
                ((sequence, previous_hash),) = self._policy_chain_reserve(
                    {company: len(rows)}
                ).values()
                values = []
                for row in rows:
                    sequence += 1
                    line_hash = self._policy_chain_line_hash(sequence, previous_hash, row)
                    values.append(
                        SQL("(%s, %s, %s, %s)", row["id"], sequence, previous_hash, line_hash)
                    )
                    previous_hash = line_hash
                cr.execute(
                    SQL(
                        "UPDATE %s line SET chain_sequence = new.sequence, "
                        "chain_previous_hash = new.previous_hash, chain_hash = new.hash "
                        "FROM (VALUES %s) AS new(id, sequence, previous_hash, hash) "
                        "WHERE line.id = new.id",
                        SQL.identifier(self._table),
                        SQL(", ").join(values),
                    )
                )
                last_id = rows[-1]["id"]

    @api.model
    def _policy_chain_verify(self, company_ids=None):
        """Recompute the chains (of `company_ids`, 0 for lines without a company; all when
        None) and list their problems, the first one of each chain first: dicts with
        `kind` (edited / missing / link / unchained), `line_id`, `company_id`, `sequence`
        and a translated `message` naming the line (id, order or record, date)."""
        cr = self.env.cr
        where = SQL("log_table = %s AND company_id != %s", self._table, CHAINED_MARK)
        if company_ids is not None:
            where = SQL("%s AND company_id = ANY(%s)", where, list(company_ids))
        cr.execute(
            SQL(
                "SELECT company_id, last_sequence FROM %s WHERE %s",
                SQL.identifier(HEAD_TABLE),
                where,
            )
        )
        heads = dict(cr.fetchall())
        problems = []
        for company, last_sequence in sorted(heads.items()):
            problems += self._policy_chain_verify_company(company, last_sequence)
        unchained = SQL("chain_sequence IS NULL")
        if company_ids is not None:
            unchained = SQL(
                "%s AND COALESCE(company_id, 0) = ANY(%s)", unchained, list(company_ids)
            )
        cr.execute(
            SQL(
                "SELECT id FROM %s WHERE %s ORDER BY id LIMIT %s",
                SQL.identifier(self._table),
                unchained,
                MAX_PROBLEMS,
            )
        )
        for (line_id,) in cr.fetchall():
            problems.append(self._policy_chain_problem("unchained", line_id))
        return problems

    def _policy_chain_verify_company(self, company, last_sequence):
        problems = []
        expected, previous_hash, previous_id = 1, None, None
        rows = self._policy_chain_rows(company, 0)
        while rows and len(problems) <= MAX_PROBLEMS:
            for row in rows:
                sequence = row["chain_sequence"]
                if sequence > expected:
                    problems.append(
                        self._policy_chain_problem(
                            "missing", row["id"], company, expected, sequence - 1, previous_id
                        )
                    )
                elif (row["chain_previous_hash"] or None) != previous_hash:
                    problems.append(
                        self._policy_chain_problem("link", row["id"], company, sequence)
                    )
                line_hash = self._policy_chain_line_hash(sequence, row["chain_previous_hash"], row)
                if line_hash != row["chain_hash"]:
                    problems.append(
                        self._policy_chain_problem("edited", row["id"], company, sequence)
                    )
                expected, previous_hash, previous_id = sequence + 1, row["chain_hash"], row["id"]
            rows = self._policy_chain_rows(company, expected - 1)
        if expected <= last_sequence and len(problems) <= MAX_PROBLEMS:
            problems.append(
                self._policy_chain_problem(
                    "missing", None, company, expected, last_sequence, previous_id
                )
            )
        return problems

    def _policy_chain_problem(self, kind, line_id, company=None, first=None, last=None, after=None):
        line = self.browse(line_id).exists() if line_id else self.browse()
        label = self._policy_chain_label(line) if line else ""
        company_name = (
            self.env["res.company"].browse(company).name if company else self.env._("no company")
        )
        if kind == "edited":
            message = self.env._(
                "%(log)s, %(company)s: %(line)s was changed after it was written (position "
                "%(sequence)s, hash mismatch).",
                log=self._policy_chain_log_name(),
                company=company_name,
                line=label,
                sequence=first,
            )
        elif kind == "link":
            message = self.env._(
                "%(log)s, %(company)s: the line before %(line)s was replaced (position "
                "%(sequence)s, previous hash mismatch).",
                log=self._policy_chain_log_name(),
                company=company_name,
                line=label,
                sequence=first,
            )
        elif kind == "missing":
            previous = self.browse(after).exists() if after else self.browse()
            message = self.env._(
                "%(log)s, %(company)s: positions %(first)s to %(last)s of the chain are "
                "missing (deleted lines), after %(previous)s and before %(next)s.",
                log=self._policy_chain_log_name(),
                company=company_name,
                first=first,
                last=last,
                previous=self._policy_chain_label(previous)
                if previous
                else self.env._("the start"),
                next=label or self.env._("the end"),
            )
        else:
            message = self.env._(
                "%(log)s: %(line)s was written outside the policy engine (not in any chain).",
                log=self._policy_chain_log_name(),
                line=label,
            )
        return {
            "model": self._name,
            "kind": kind,
            "line_id": line_id,
            "company_id": company or False,
            "sequence": first,
            "last": last,
            "after": after,
            "message": message,
        }
