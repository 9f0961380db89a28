from odoo import models


class Base(models.AbstractModel):
    """The person finder's hook: a model holding personal data sets
    ``_gdpr_erasure_sequence`` and says, in ``_gdpr_erasure_places``,
    which of its records hold the person's data and what erasing them does
    (``footprint.add(records, action, reason)``). The erasure preview, the
    erasure, the Art. 15 export and retention all read these hooks.

    Hooks below 50 find the person's own records (contacts, leads...);
    the later ones what hangs on them or mentions them, and may read what
    the earlier ones planned."""

    _inherit = "base"

    _gdpr_erasure_sequence = None

    def _gdpr_erasure_places(self, footprint):
        """Add to ``footprint`` the records of this model holding the
        person's data. Called on an empty recordset, as superuser, with
        archived records included."""
        return None
