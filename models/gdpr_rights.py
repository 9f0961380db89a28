"""Who may run the add-on's processes: the one check that every public method
working as superuser makes before it does anything.

Any method without a leading underscore is callable over XML-RPC and JSON-RPC
by every user who can read the record, whatever the views show, so the check
is made on the server, in the method itself.
"""

from odoo.exceptions import AccessError

DPO_GROUP = "crm_gdpr.group_gdpr_dpo"
EXPORT_GROUP = "crm_gdpr.group_gdpr_export"
INTAKE_GROUP = "crm_gdpr.group_gdpr_intake"


def check_group(env, group, message):
    """Raise ``AccessError(message)`` unless the user is in ``group`` (or
    in one of the comma-separated groups).

    Code of the add-on that already runs as superuser (``sudo()``) has made
    its own check: it is not asked again.
    """
    if env.su or env.user.has_groups(group):
        return
    raise AccessError(message)


def check_dpo(env, message=None):
    """Only the data protection officer may go on."""
    check_group(
        env,
        DPO_GROUP,
        message or env._("Only the data protection officer can do this."),
    )


def is_intake(env):
    """Whether the caller may record the proof a person's own request
    brings (IP address, browser, web form): the consent page and the
    integrations of the intake group, never staff typing it in."""
    return env.su or env.user.has_group(INTAKE_GROUP)
