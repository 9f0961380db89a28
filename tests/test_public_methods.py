"""Every public method of the add-on that works as superuser checks the
caller first: a new one without a check makes this test fail."""

import inspect
import re

from odoo.tests import TransactionCase, tagged

# calls that check who the caller is before anything is done as superuser
RIGHTS_CHECKS = re.compile(
    r"\b(check_dpo|check_group|_check_dpo|is_intake|_gdpr_from_rpc|check_access"
    r"|_check_proof)\("
)
ELEVATED = re.compile(r"\.sudo\(|su=True|with_user\(SUPERUSER_ID")
SELF_CALL = re.compile(r"\bself\.(_\w+)\(")
# the ORM's own entry points check the access rights of the model before the
# add-on's override runs its superuser part (a blacklist entry, a sequence)
ORM_METHODS = {"create", "write", "unlink", "copy", "default_get", "init"}
# public methods whose superuser part needs no check, and why
NEEDS_NO_CHECK = {
    ("gdpr.purpose", "list_purposes"): "lists the purposes every user may read",
    ("gdpr.retention.line", "action_exclude"): "the model is readable by the DPO only",
    ("gdpr.erasure.wizard", "action_preview"): "the wizard is the DPO's only",
}


@tagged("post_install", "-at_install")
class TestPublicMethods(TransactionCase):
    def methods(self):
        """``{model: {name: source}}`` of the methods the add-on's own
        classes define."""
        result = {}
        for model_name in self.env.registry:
            for cls in type(self.env[model_name]).__mro__:
                if not cls.__module__.startswith("odoo.addons.crm_gdpr."):
                    continue
                for name, member in vars(cls).items():
                    if inspect.isfunction(member):
                        result.setdefault(model_name, {}).setdefault(
                            name, inspect.getsource(member)
                        )
        return result

    def reached(self, sources, name):
        """The sources of ``name`` and of the model's private methods it
        calls, directly or through others: a superuser part or a check may
        sit in a helper."""
        seen, todo = set(), [name]
        while todo:
            current = todo.pop()
            if current in seen or current not in sources:
                continue
            seen.add(current)
            todo += SELF_CALL.findall(sources[current])
        return "\n".join(sources[n] for n in seen)

    def test_every_superuser_method_checks_the_caller(self):
        checked, unchecked = [], []
        for model, sources in self.methods().items():
            for name in sources:
                if name.startswith("_") or name in ORM_METHODS:
                    continue
                code = self.reached(sources, name)
                if not ELEVATED.search(code) or (model, name) in NEEDS_NO_CHECK:
                    continue
                target = checked if RIGHTS_CHECKS.search(code) else unchecked
                target.append(f"{model}.{name}")
        # the detector sees the add-on's methods that work as superuser
        for known in ("gdpr.erasure.erase", "gdpr.request.action_export"):
            self.assertIn(known, checked)
        self.assertEqual(
            unchecked,
            [],
            "public methods working as superuser without a rights check",
        )

    def test_the_check_is_seen(self):
        """The detector itself: a method with sudo() and no check is caught,
        one with a check is not."""

        def unchecked(self):
            return self.sudo().search([])

        def checked(self):
            check_dpo(self.env)  # noqa: F821 - only read as source
            return self.sudo().search([])

        for function, caught in ((unchecked, True), (checked, False)):
            source = inspect.getsource(function)
            self.assertEqual(
                bool(ELEVATED.search(source)) and not RIGHTS_CHECKS.search(source),
                caught,
            )
