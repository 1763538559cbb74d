"""Install sale_order_policy into a database that has only sale_stock, then uninstall it.

Fails (exit 1) if either step logs a warning or an error, or leaves tables behind.

    check_install_uninstall.py CONF [DB]
"""

import logging
import subprocess
import sys

import dbtool

MODULE = "sale_order_policy"


class Collector(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records = []

    def emit(self, record):
        self.records.append(self.format(record))


def main(conf, dbname="sop_uninstall"):
    python = sys.executable
    dbtool.drop(conf, dbname)
    subprocess.run(
        [
            python,
            "-m",
            "odoo",
            "-c",
            conf,
            "-d",
            dbname,
            "-i",
            "sale_stock",
            "--without-demo=all",
            "--stop-after-init",
            "--log-level=warn",
        ],
        check=True,
    )
    import odoo
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", conf, "-d", dbname, "--log-level=warn"])

    def columns():
        with Registry(dbname).cursor() as cr:
            cr.execute(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = 'public'"
            )
            return set(cr.fetchall())

    before = columns()
    collector = Collector()
    logging.getLogger().addHandler(collector)
    with Registry(dbname).cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        env["ir.module.module"].search([("name", "=", MODULE)]).button_immediate_install()
    installed = list(collector.records)
    with Registry(dbname).cursor() as cr:
        # The columns this module created (its dependencies' stay installed, as in Odoo).
        cr.execute(
            """SELECT m.model, f.name FROM ir_model_data d
                 JOIN ir_model_fields f ON f.id = d.res_id
                 JOIN ir_model m ON m.id = f.model_id
                WHERE d.module = %s AND d.model = 'ir.model.fields' AND f.store""",
            (MODULE,),
        )
        ours = {(model.replace(".", "_"), name) for model, name in cr.fetchall()}
    with Registry(dbname).cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        env["ir.module.module"].search([("name", "=", MODULE)]).button_immediate_uninstall()
    uninstalled = collector.records[len(installed) :]
    with Registry(dbname).cursor() as cr:
        cr.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE 'sale_policy%%'")
        tables = [row[0] for row in cr.fetchall()]
    left = sorted((columns() - before) & ours)
    print(
        f"install: {len(installed)} warnings/errors; uninstall: {len(uninstalled)}; "
        f"tables left: {tables}; columns left: {left}"
    )
    for line in installed + uninstalled:
        print("  ", line[:300])
    sys.exit(1 if installed or uninstalled or tables or left else 0)


if __name__ == "__main__":
    main(*sys.argv[1:])
