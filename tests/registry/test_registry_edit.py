"""Adding a service to platform.yaml by command: the new entry lands at the end of ``services`` in the file's own
style, every other byte stays, and a bad entry or an unusual layout writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from platform_constructs.errors import ConfigError
from platform_constructs.registry import load_registry, parse_registry
from platform_constructs.registry.edit import add_service, append_service
from platform_constructs.registry.loader import read_registry_text

DEFAULT_TEXT = read_registry_text(None)[1]
HEAD, _, _REST = DEFAULT_TEXT.partition("services:\n")
TAIL = _REST[_REST.index("\nstate_backend:") :]
BILLING = {"name": "billing", "repo": "billing", "team": "payments", "owner": "pay@acme.example", "cost_center": "0410"}


def common_prefix(a: str, b: str) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def inserted(old: str, new: str) -> str:
    """The one contiguous piece of ``new`` that is not in ``old``; fails if anything else changed."""
    prefix = common_prefix(old, new)
    suffix = common_prefix(old[prefix:][::-1], new[prefix:][::-1])
    assert prefix + suffix == len(old), "text outside the new entry changed"
    return new[prefix : len(new) - suffix]


def test_the_default_registry_gets_a_block_entry_and_keeps_every_byte() -> None:
    new = append_service(DEFAULT_TEXT, {**BILLING, "environments": ["dev", "prod"]})
    assert inserted(DEFAULT_TEXT, new) == (
        "  - name: billing\n    repo: billing\n    team: payments\n    owner: pay@acme.example\n"
        '    cost_center: "0410"\n    environments: [dev, prod]\n'
    )
    registry = parse_registry(new)
    assert registry.services[-1].cost_center == "0410" and registry.service_environments(registry.services[-1]) == (
        "dev",
        "prod",
    )
    assert registry.model_dump(exclude={"services"}) == load_registry(None).model_dump(exclude={"services"})


def test_the_file_keeps_its_bom_crlf_and_mode(tmp_path: Path) -> None:
    file = tmp_path / "platform.yaml"
    file.write_bytes(b"\xef\xbb\xbf" + DEFAULT_TEXT.replace("\n", "\r\n").encode())
    file.chmod(0o640)
    add_service(file, BILLING)
    data = file.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\n" not in data.replace(b"\r\n", b"")
    assert "  - name: billing\r\n    repo: billing\r\n" in data.decode("utf-8-sig")
    assert (file.stat().st_mode & 0o777) == 0o640 and [p.name for p in tmp_path.iterdir()] == ["platform.yaml"]
    assert load_registry(file).services[-1].name == "billing"


def test_merge_key_style_entries_get_a_flow_entry() -> None:
    text = (
        HEAD
        + "services:\n  - &svc {name: s0, repo: r0, team: storage, owner: a@acme.example, cost_center: CC-1}\n"
        + "  - {<<: *svc, name: s1, repo: r1}   # merged\n"
        + TAIL
    )
    new = append_service(text, BILLING)
    assert inserted(text, new) == (
        '  - {name: billing, repo: billing, team: payments, owner: pay@acme.example, cost_center: "0410"}\n'
    )
    assert [s.team for s in parse_registry(new).services] == ["storage", "storage", "payments"]


def test_a_flow_list_gets_the_entry_before_its_bracket() -> None:
    text = HEAD + "services: [{name: s0, repo: r0, team: storage, owner: a@acme.example, cost_center: CC-1}]\n" + TAIL
    new = append_service(text, BILLING)
    assert inserted(text, new).startswith(", {name: billing")
    assert [s.name for s in parse_registry(new).services] == ["s0", "billing"]


def test_comments_after_the_list_stay_with_the_next_section() -> None:
    text = DEFAULT_TEXT.replace("\nstate_backend:", "\n# about the state backend\nstate_backend:", 1)
    new = append_service(text, BILLING)
    assert new.index("name: billing") < new.index("# about the state backend")


def test_values_that_yaml_would_misread_are_quoted() -> None:
    entry = {**BILLING, "name": "yes", "repo": "null", "team": "true", "cost_center": "1e3"}
    new = append_service(DEFAULT_TEXT, entry)
    assert yaml.safe_load(inserted(DEFAULT_TEXT, new).replace("  - ", "", 1).replace("    ", "")) == entry
    last = parse_registry(new).services[-1]
    assert (last.name, last.repo, last.team, last.cost_center) == ("yes", "null", "true", "1e3")


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"name": "fileflow"}, "services[3].name"),
        ({"owner": "not-an-email"}, "services[3].owner"),
        ({"environments": ["qa"]}, "services[3].environments[0]"),
        ({"colour": "blue"}, "services[3].colour"),
    ],
    ids=["duplicate", "email", "environment", "unknown-key"],
)
def test_a_bad_entry_names_its_field_and_leaves_the_file(tmp_path: Path, change: dict, path: str) -> None:
    file = tmp_path / "platform.yaml"
    file.write_text(DEFAULT_TEXT)
    with pytest.raises(ConfigError) as info:
        add_service(file, {**BILLING, **change})
    assert path in [p.path for p in info.value.problems]
    assert file.read_text() == DEFAULT_TEXT and [p.name for p in tmp_path.iterdir()] == ["platform.yaml"]


def test_a_broken_registry_is_not_edited(tmp_path: Path) -> None:
    file = tmp_path / "platform.yaml"
    file.write_text(DEFAULT_TEXT.replace("region: ap-northeast-2", "region: ap-northeast-9"))
    with pytest.raises(ConfigError) as info:
        add_service(file, BILLING)
    assert [p.path for p in info.value.problems] == ["region"]


# Property: whatever ordinary layout the list has, the edit keeps every other byte and reads back as intended.

_comment = st.text(alphabet=st.sampled_from("abc :#-'\"[]{}*&!한국"), max_size=12).map(lambda t: f"# {t}")


@st.composite
def service_layouts(draw: st.DrawFn) -> str:
    dash = " " * draw(st.sampled_from([0, 2, 4]))
    gap = " " * draw(st.integers(1, 3))
    flow_items = draw(st.booleans())
    lines = []
    for i in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            lines.append(dash + draw(_comment))
        fields = {"name": f"s{i}", "repo": f"r{i}", "team": "storage", "owner": "a@acme.example", "cost_center": "CC-1"}
        trailing = f"  {draw(_comment)}" if draw(st.booleans()) else ""
        if flow_items:
            lines.append(f"{dash}-{gap}{{{', '.join(f'{k}: {v}' for k, v in fields.items())}}}{trailing}")
        else:
            for j, (key, value) in enumerate(fields.items()):
                lead = f"{dash}-{gap}" if j == 0 else f"{dash} {gap}"
                lines.append(f"{lead}{key}: {value}{trailing if j == len(fields) - 1 else ''}")
    lines += [draw(_comment) for _ in range(draw(st.integers(0, 2)))]
    last = draw(st.booleans())
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = HEAD + "services:\n" + "\n".join(lines) + ("\n" if last and draw(st.booleans()) else "")
    text += "" if last else "\n" + TAIL.lstrip("\n")
    return text.replace("\n", newline)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(service_layouts())
def test_any_ordinary_layout_is_extended_in_place(text: str) -> None:
    before = parse_registry(text)
    new = append_service(text, BILLING)
    piece = inserted(text, new)
    assert ("\r\n" in text) == ("\r\n" in piece) and "billing" in piece
    after = parse_registry(new)
    assert after.services[:-1] == before.services and after.services[-1].name == "billing"
