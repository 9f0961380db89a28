import ast

from odoo import models

# Attributes holding expressions evaluated on the record by the web client.
EXPRESSION_ATTRIBUTES = (
    "invisible",
    "readonly",
    "required",
    "column_invisible",
    "domain",
    "context",
)


class _HideFields(ast.NodeTransformer):
    """Rewrite an expression so that hidden fields read as False."""

    def __init__(self, hidden, parent_hidden):
        self.hidden = hidden
        self.parent_hidden = parent_hidden
        self.changed = False

    def visit_Name(self, node):
        if node.id in self.hidden:
            self.changed = True
            return ast.Constant(False)
        return node

    def visit_Attribute(self, node):
        if (
            isinstance(node.value, ast.Name)
            and node.value.id == "parent"
            and node.attr in self.parent_hidden
        ):
            self.changed = True
            return ast.Constant(False)
        return self.generic_visit(node)

    def rewrite(self, expression):
        """The expression with hidden fields as False, or unchanged."""
        try:
            tree = ast.parse(expression.strip(), mode="eval")
        except SyntaxError:
            return expression
        self.changed = False
        tree = self.visit(tree)
        return ast.unparse(tree) if self.changed else expression


class IrUiView(models.Model):
    _inherit = "ir.ui.view"

    def _postprocess_access_rights(self, tree):
        """Drop from the view the fields the user may not read.

        Odoo removes a field with groups from the view, but keeps it when
        another element's condition uses it (``invisible="not vat"``): the web
        client then fails on a field it was not given. The personal-data map
        restricts fields of stock views, so such fields are removed too, with
        their labels, and conditions read them as empty.
        """
        if not self.env.su and tree.get("model_access_rights"):
            self._gdpr_hide_fields(tree, set())
        return super()._postprocess_access_rights(tree)

    def _gdpr_hide_fields(self, root, parent_hidden):
        model = self.env[root.get("model_access_rights")]
        own_nodes, sub_views = [], []
        stack = list(root)
        while stack:
            node = stack.pop()
            if not isinstance(node.tag, str):
                continue
            if node.get("model_access_rights"):
                sub_views.append(node)
                continue
            own_nodes.append(node)
            stack.extend(node)
        hidden = {
            node.get("name")
            for node in own_nodes
            if node.tag == "field"
            and node.get("name") in model._fields
            and not model._fields[node.get("name")].is_accessible(self.env)
        }
        if hidden or parent_hidden:
            rewriter = _HideFields(hidden, parent_hidden)
            for node in own_nodes:
                if (node.tag == "field" and node.get("name") in hidden) or (
                    node.tag == "label" and node.get("for") in hidden
                ):
                    node.getparent().remove(node)
                    continue
                for attribute in EXPRESSION_ATTRIBUTES:
                    if node.get(attribute):
                        node.set(attribute, rewriter.rewrite(node.get(attribute)))
        for sub_view in sub_views:
            self._gdpr_hide_fields(sub_view, hidden)
