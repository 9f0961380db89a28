from odoo.http import route

from odoo.addons.base.controllers import rpc

from ..models.gdpr_audit_entry import traced_as


class RPC(rpc.RPC):
    """Trace what XML-RPC and JSON-RPC calls change as coming over RPC: they
    run without the web request, which Odoo hides from them."""

    def _xmlrpc(self, service):
        with traced_as(None, "rpc"):
            return super()._xmlrpc(service)

    @route()
    def jsonrpc(self, service, method, args):
        with traced_as(None, "rpc"):
            return super().jsonrpc(service, method, args)
