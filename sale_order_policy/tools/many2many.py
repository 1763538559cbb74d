from odoo.tools import SQL


def link_pairs(model, fname, pairs):
    """Add (record id, target id) pairs to the many2many `fname` of `model` in one insert,
    skipping links that exist, and drop the cached values of the records concerned."""
    if not pairs:
        return
    field = model._fields[fname]
    record_ids, target_ids = zip(*pairs, strict=True)
    model.env.cr.execute(
        SQL(
            "INSERT INTO %s (%s, %s) SELECT unnest(%s::int[]), unnest(%s::int[]) "
            "ON CONFLICT DO NOTHING",
            SQL.identifier(field.relation),
            SQL.identifier(field.column1),
            SQL.identifier(field.column2),
            list(record_ids),
            list(target_ids),
        )
    )
    model.browse(set(record_ids)).invalidate_recordset([fname])
