"""Every version change (folder 0.0.0): empty the module's inheriting views before the
data files are loaded again.

While a module is updated, Odoo checks each view it loads together with every inheriting
view of that module already in the database, including the ones whose file has not been
loaded yet and still hold the previous release's architecture. When an element moves
from one view to another between releases, the old view that points at it fails the
check of the first file loaded: `<xpath expr="//setting[@id='sale_policy_credit']">`
(tracking settings, 18.0.1.1.0 and 18.0.1.2.0) cannot be located once the credit check
has left the main settings view for the checks view (18.0.1.3.0).

An empty extension (`<data/>`) changes nothing and points at nothing. Each view gets its
own architecture back when its file is loaded, in the manifest's order, as on a fresh
install; a view no file defines any more is deleted at the end of the update, as before.
Records keep their ids, so other modules' views and customizations that inherit them stay
attached. Views marked noupdate are not reloaded, so they are left alone."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE ir_ui_view view
           SET arch_db = jsonb_build_object('en_US', '<data/>')
          FROM ir_model_data data
         WHERE data.model = 'ir.ui.view'
           AND data.res_id = view.id
           AND data.module = 'sale_order_policy'
           AND NOT COALESCE(data.noupdate, FALSE)
           AND view.inherit_id IS NOT NULL
        """
    )
