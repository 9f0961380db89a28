def rpc_safe(value):
    """``value`` with ``None`` turned into ``False``, recursively: XML-RPC
    has no ``None``, and Odoo's empty value is ``False`` everywhere."""
    if isinstance(value, dict):
        return {key: rpc_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [rpc_safe(item) for item in value]
    return False if value is None else value
