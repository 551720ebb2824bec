"""The Terraform JSON → HCL renderer: template escaping and block/attribute decisions (pure unit tests).

Its end-to-end proof (equal plans for both forms) is in test_terraform_state_backend.py.
"""

from __future__ import annotations

import pytest

from platform_constructs.hcl.render import (
    RenderError,
    expression,
    literal_string,
    render_config,
    split_template,
    template,
)
from platform_constructs.hcl.schema import ProviderShapes, Shape
from support.hcl import parse, unquote


@pytest.mark.parametrize(
    "text, expected",
    [
        ("${aws_s3_bucket.state.arn}", "aws_s3_bucket.state.arn"),
        ("  plain  ", '"  plain  "'),
        ('say "hi"\n', '"say \\"hi\\"\\n"'),
        ("arn:${var.partition}:s3:::b", '"arn:${var.partition}:s3:::b"'),
        ('${lookup(var.m, "k}", "d")}', 'lookup(var.m, "k}", "d")'),
        ('${join(",", [for s in var.l : "${s}-x"])}', 'join(",", [for s in var.l : "${s}-x"])'),
        ("$${not_interpolated}", '"$${not_interpolated}"'),
        ("%{ if var.on }yes%{ endif }", '"%{ if var.on }yes%{ endif }"'),
        ("a\\b", '"a\\\\b"'),
    ],
)
def test_template(text: str, expected: str) -> None:
    assert template(text) == expected


def test_interpolation_keeps_inner_quotes_unescaped() -> None:
    parts = split_template('pre ${format("%s\\"x", var.a)} post "q"')
    assert parts == [("lit", "pre "), ("seq", '${format("%s\\"x", var.a)}'), ("lit", ' post "q"')]
    assert template('pre ${format("%s", var.a)} "q"') == '"pre ${format("%s", var.a)} \\"q\\""'


@pytest.mark.parametrize("bad", ["${unclosed", '${f("unterminated)}'])
def test_malformed_templates_are_errors(bad: str) -> None:
    with pytest.raises(RenderError):
        template(bad)


def test_literal_strings_never_interpolate() -> None:
    assert unquote(literal_string("a${b}%{c}")) == "a${b}%{c}"
    assert literal_string("a${b}") == '"a$${b}"'


def test_map_keys_with_quotes_are_escaped() -> None:
    """CDKTF's renderer leaves quotes in map keys unescaped; ours must not."""
    rendered = expression({'we"ird': "v", "Plain": False, "n": 0, "e": ""})
    data = parse(f"x = {rendered}\n")["x"]
    assert data == {'"we\\"ird"': '"v"', "Plain": False, "n": 0, "e": '""'}


SHAPES = ProviderShapes(
    provider=Shape(frozenset({"region"}), {"default_tags": ("list", Shape(frozenset({"tags"})))}),
    resources={
        "aws_thing": Shape(
            frozenset({"name", "tags", "settings"}),
            {"rule": ("list", Shape(frozenset({"id"}), {"filter": ("list", Shape(frozenset({"prefix"})))}))},
        )
    },
    data_sources={},
)


def test_blocks_versus_object_attributes() -> None:
    config = {
        "resource": {
            "aws_thing": {
                "x": {
                    "//": {"metadata": {"path": "a/b"}, "checkov_skip_CKV_1": "checkov:skip=CKV_1: because reasons"},
                    "name": "n",
                    "tags": {"Team": "t"},  # object attribute: stays an attribute
                    "settings": {"a": 1},  # object attribute
                    "rule": [{"id": "r1", "filter": {"prefix": ""}}, {"id": "r2"}],  # repeated nested blocks
                    "lifecycle": {"prevent_destroy": True, "ignore_changes": ["tags"]},
                    "depends_on": ["aws_thing.y"],
                    "provider": "aws.other",
                }
            }
        },
        "provider": {"aws": [{"region": "r", "default_tags": [{"tags": {"A": "b"}}]}]},
        "variable": {"v": {"type": "bool", "default": False, "description": "d"}},
    }
    text = render_config(config, SHAPES)
    assert "# checkov:skip=CKV_1: because reasons" in text
    assert "metadata" not in text
    assert "tags = {" in text and "settings = {" in text
    assert text.count("rule {") == 2 and "filter {" in text
    assert "depends_on = [aws_thing.y]" in text and "provider = aws.other" in text
    assert "ignore_changes = [tags]" in text
    assert "default = false" in text  # CDKTF's renderer drops falsy defaults
    parsed = parse(text)
    body = parsed["resource"][0]['"aws_thing"']['"x"']
    assert len(body["rule"]) == 2
    assert body["lifecycle"][0]["prevent_destroy"] is True


def test_unknown_resource_type_is_an_error() -> None:
    with pytest.raises(KeyError):
        render_config({"resource": {"aws_nope": {"x": {}}}}, SHAPES)
