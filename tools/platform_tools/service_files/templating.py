"""Jinja2 rendering for files that land in service repos and on the Atlantis server.

``StrictUndefined`` turns a missing value into an error instead of an empty string, and every value that
reaches HCL goes through :func:`hcl_string`, which escapes quotes, backslashes, control characters and
Terraform's template sequences (``${`` and ``%{``). Values are validated before rendering too (the
registry patterns); escaping is the second line, not the first.
"""

from __future__ import annotations

import shlex

import jinja2

from platform_constructs.hcl.render import expression, literal_string
from platform_tools.resources import templates_dir


def hcl_string(value: object) -> str:
    """A quoted HCL string literal whose value is exactly ``value``, never an expression.

    The same escaping as the HCL renderer's literal strings: backslash, quote, control characters (in
    the forms HCL accepts; it has no ``\\b`` or ``\\f``), and template sequences doubled.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    return literal_string(str(value))


def comment_text(value: object) -> str:
    """Text safe inside a ``#`` comment: control characters (a newline would end the comment) escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(value))


def hcl_value(value: object) -> str:
    """A literal HCL value: numbers and booleans as themselves, strings as :func:`hcl_string`."""
    return expression(value, literal=True)


def shell_word(value: object) -> str:
    """One shell word whose value is exactly ``value`` (quoted when it needs to be), for rendered scripts."""
    return shlex.quote(str(value))


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["hcl_string"] = hcl_string
    env.filters["hcl_value"] = hcl_value
    env.filters["comment"] = comment_text
    env.filters["shell"] = shell_word
    return env


def render(template: str, **context: object) -> str:
    return environment().get_template(template).render(**context)
