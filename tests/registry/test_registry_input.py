"""platform.yaml as bytes and YAML: encodings, alias bombs, merge keys, unquoted numbers and long values are each
refused (or accepted) as a class, with a located problem and never a traceback."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from platform_constructs.errors import MAX_PROBLEMS_SHOWN, MAX_VALUE_CHARS, ConfigError, Problem
from platform_constructs.registry import load_registry, parse_registry
from platform_constructs.registry.loader import MAX_ALIAS_EXPANSION, read_registry_text
from platform_tools.cli import main

DEFAULT_TEXT = read_registry_text(None)[1]

#: Nine nested levels of nine aliases: 9**9 (387 million) strings once expanded.
BILLION_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)


def problems(text: str | bytes, tmp_path: Path) -> list[Problem]:
    file = tmp_path / "platform.yaml"
    file.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(ConfigError) as info:
        load_registry(file)
    return list(info.value.problems)


# 1. Encodings


def test_bom_and_crlf_give_the_same_registry(tmp_path: Path) -> None:
    file = tmp_path / "platform.yaml"
    file.write_bytes(b"\xef\xbb\xbf" + DEFAULT_TEXT.replace("\n", "\r\n").encode())
    assert load_registry(file) == load_registry(None)


def test_non_utf8_is_refused_at_the_first_bad_byte(tmp_path: Path) -> None:
    head, sep, tail = DEFAULT_TEXT.partition("org: acme")
    text = head.encode() + (sep + "  # 한국어 주석").encode("cp949") + tail.encode()
    line = DEFAULT_TEXT[: DEFAULT_TEXT.index("org: acme")].count("\n") + 1
    (problem,) = problems(text, tmp_path)
    assert problem.path == f"line {line}, column {len('org: acme  # ') + 1}"
    assert "not UTF-8" in problem.message and problem.fix == "save the file as UTF-8"


@pytest.mark.parametrize(
    ("data", "kind"),
    [(gzip.compress(DEFAULT_TEXT.encode(), mtime=0), "gzip"), (b"org: acme\x00\x01", "NUL")],
    ids=["gzip", "nul"],  # stable ids: xdist workers must collect the same names
)
def test_binary_files_are_not_text(tmp_path: Path, data: bytes, kind: str) -> None:
    (problem,) = problems(data, tmp_path)
    assert "is not a text file" in problem.message and kind in problem.message


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_are_named_and_refused(tmp_path: Path, encoding: str) -> None:
    (problem,) = problems(DEFAULT_TEXT.encode(encoding), tmp_path)
    assert problem.path == "file" and "UTF-" in problem.message and "save the file as UTF-8" in problem.fix


# 2. Alias expansion and value echo


def test_billion_laughs_is_refused_at_the_alias(tmp_path: Path) -> None:
    (problem,) = problems(BILLION_LAUGHS, tmp_path)
    assert problem.path.startswith("line 7, ") and f"{MAX_ALIAS_EXPANSION:,}" in problem.message


def test_self_referencing_alias_is_refused(tmp_path: Path) -> None:
    (problem,) = problems("a: &a [1, *a]\n", tmp_path)
    assert "contains it" in problem.message


def test_long_values_are_truncated_with_their_length() -> None:
    rendered = Problem("org", "bad", "x" * 10_000).render()
    assert len(rendered) < MAX_VALUE_CHARS + 80 and "(10,002 characters)" in rendered


# 3. Merge keys


def test_merge_keys_work_and_explicit_keys_override(tmp_path: Path) -> None:
    file = tmp_path / "p.yaml"
    base = load_registry(None).services[0]
    head, _, _ = DEFAULT_TEXT.partition("services:\n")
    entry = (
        "services:\n"
        "  - &first {name: fileflow, repo: fileflow, team: storage, owner: a@acme.example, cost_center: CC-1001}\n"
        "  - <<: [*first, {infracost: false}]\n"
        "    name: billing\n"
        "    repo: billing\n"
    )
    file.write_text(head + entry)
    services = load_registry(file).services
    assert [s.name for s in services] == ["fileflow", "billing"]
    assert services[1].team == base.team and services[1].infracost is False


def test_duplicate_keys_are_still_refused_next_to_merges(tmp_path: Path) -> None:
    (problem,) = problems("a: &a {x: 1}\nb: {<<: *a, y: 1, y: 2}\n", tmp_path)
    assert "duplicate key 'y'" in problem.message


# 4. Unquoted numbers


@pytest.mark.parametrize("written", ["012345678901", "089012345678", "100000000000"])
def test_unquoted_account_ids_are_numbers_whatever_the_digits(tmp_path: Path, written: str) -> None:
    text = DEFAULT_TEXT.replace('account_id: "100000000000"', f"account_id: {written}", 1)
    found = {p.path: p for p in problems(text, tmp_path)}
    assert f"is a number in YAML: quote it ('{written}')" in found["platform.account_id"].message


def test_unquoted_cost_center_is_a_number_not_an_account_id(tmp_path: Path) -> None:
    text = DEFAULT_TEXT.replace("cost_center: CC-0001", "cost_center: 0410", 1)
    assert "cost_center: CC-0001" in DEFAULT_TEXT
    (problem,) = problems(text, tmp_path)
    assert problem.path == "platform.cost_center" and "quote it ('0410')" in problem.message
    assert "account" not in problem.message


# 4b. YAML 1.1's other implicit types: keys are names, no field is a date, tags and depth are bounded


@pytest.mark.parametrize("name", ["on", "no", "yes", "off"])
def test_unquoted_keys_are_text_not_booleans(name: str) -> None:
    text = DEFAULT_TEXT.replace("  stg:\n", f"  {name}:\n", 1)
    assert text != DEFAULT_TEXT
    assert name in parse_registry(text).environments


def test_number_and_null_keys_are_unknown_keys_by_their_text(tmp_path: Path) -> None:
    found = {p.path: p for p in problems(DEFAULT_TEXT + "1: x\n~: y\n", tmp_path)}
    assert found["1"].message == "unknown key" and found["~"].message == "unknown key"


def test_dates_stay_text() -> None:
    text = DEFAULT_TEXT.replace("cost_center: CC-1001", "cost_center: 2026-01-01", 1)
    assert text != DEFAULT_TEXT and parse_registry(text).services[0].cost_center == "2026-01-01"


def test_booleans_in_text_fields_say_quote_it(tmp_path: Path) -> None:
    (problem,) = problems(DEFAULT_TEXT.replace("team: storage", "team: on", 1), tmp_path)
    assert problem.path == "services[0].team" and "is true/false in YAML" in problem.message


@pytest.mark.parametrize(
    ("text", "message", "fix"),
    [
        ("org: " + "9" * 5_000 + "\n", "an unquoted number of 5,000 digits", "quote it"),
        ("".join("  " * i + f"k{i}:\n" for i in range(3_000)) + "  " * 3_000 + "v\n", "more than 64 levels", "indent"),
        ("org: !!python/object/apply:os.system ['true']\n", "could not determine a constructor", "remove the tag"),
    ],
    ids=["long-digits", "deep-block-nesting", "python-tag"],
)
def test_oversized_and_foreign_yaml_is_refused_at_its_line(tmp_path: Path, text: str, message: str, fix: str) -> None:
    (problem,) = problems(text, tmp_path)
    assert problem.path.startswith("line ") and message in problem.message and fix in problem.fix


# CLI: exit 2, no traceback, the location, nothing written


@pytest.mark.parametrize(
    ("data", "where"),
    [("org: acme  # 한국어\n".encode("cp949"), "line 1, column 14"), (BILLION_LAUGHS.encode(), "line 7, ")],
    ids=["cp949", "aliases"],
)
def test_cli_refuses_cleanly_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, where: str
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(data)
    assert main(["registry", "check", "--platform", str(bad)]) == 2
    err = capsys.readouterr().err
    assert where in err and "Traceback" not in err
    out = tmp_path / "out"
    assert main(["render", "--platform", str(bad), "--out", str(out), "--github-out", str(tmp_path / "gh")]) == 2
    assert "Traceback" not in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]


# 5. Paths, both entries of a duplicate, summaries


def test_admin_role_in_another_account_is_reported_at_its_entry(tmp_path: Path) -> None:
    long_arn = "arn:aws:iam::999999999999:role/" + "a" * 300
    text = DEFAULT_TEXT.replace("arn:aws:iam::100000000000:role/platform-admin", long_arn, 1)
    (problem,) = problems(text, tmp_path)
    assert problem.path == "platform.admin_role_arns[0]" and "platform account" in problem.message
    assert "Value error" not in problem.message and "(333 characters)" in problem.message


def test_a_duplicate_names_both_entries(tmp_path: Path) -> None:
    head, _, _ = DEFAULT_TEXT.partition("services:\n")
    entry = "  - {{name: {n}, repo: {r}, team: storage, owner: a@acme.example, cost_center: CC-1}}\n"
    rows = [("fileflow", "fileflow"), ("other", "other"), ("third", "Fileflow"), ("fileflow", "x")]
    text = head + "services:\n" + "".join(entry.format(n=n, r=r) for n, r in rows)
    found = {p.path: p.message for p in problems(text, tmp_path)}
    assert "services[0]" in found["services[3].name"] and "services[0]" in found["services[2].repo"]


def big_registry(count: int) -> str:
    """``count`` services that merge their defaults from the first one, as a large organisation would write them
    (the schema is closed, so the anchor sits on a real entry)."""
    head, _, _ = DEFAULT_TEXT.partition("services:\n")
    first = "  - &svc {name: s0, repo: r0, team: storage, owner: a@acme.example, cost_center: CC-1001}\n"
    rows = "".join(f"  - {{<<: *svc, name: s{i}, repo: r{i}}}\n" for i in range(1, count))
    return head + "services:\n" + first + rows


def test_summaries_list_ten_names_and_count_the_rest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "p.yaml"
    file.write_text(big_registry(500))
    assert main(["registry", "check", "--platform", str(file)]) == 0
    out = capsys.readouterr().out
    assert "500 services (s0, s1, s2, s3, s4, s5, s6, s7, s8, s9 and 490 more)" in out
    file.write_text(big_registry(500).replace("name: s7,", "name: s7, environments: [qa],"))
    assert main(["registry", "check", "--platform", str(file)]) == 2
    err = capsys.readouterr().err
    assert "services[7].environments[0]: 'qa' is not an environment" in err and "Traceback" not in err


# 6. Scale


def test_fifty_thousand_services_validate_in_seconds() -> None:
    import time

    text = big_registry(50_000)
    started = time.perf_counter()
    registry = parse_registry(text, "big.yaml")
    assert len(registry.services) == 50_000 and registry.services[-1].team == "storage"
    assert time.perf_counter() - started < 30  # quadratic checks took minutes; linear ones take seconds
    with pytest.raises(ConfigError) as info:  # duplicates are found in one pass too, naming the first entry
        parse_registry(text.replace("name: s49999,", "name: s1,"), "big.yaml")
    assert [p.path for p in info.value.problems] == ["services[49999].name"]


def test_model_rules_read_without_pydantics_prefix(tmp_path: Path) -> None:
    text = DEFAULT_TEXT.replace("block_percent: 30 ", "block_percent: 5  ", 1)
    assert text != DEFAULT_TEXT
    found = {p.path: (p.message, p.fix) for p in problems(text, tmp_path)}
    assert found["guardrails.cost.block_percent"] == (
        "5 must be greater than warn_percent (10)",
        "raise block_percent above 10 or lower warn_percent",
    )


def test_reports_list_fifty_problems_and_count_the_rest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "p.yaml"
    file.write_text(big_registry(2_000).replace("owner: a@acme.example", "owner: nobody"))
    assert main(["registry", "check", "--platform", str(file)]) == 2
    err = capsys.readouterr().err
    total = int(re.search(r"(\d+) problem\(s\), nothing was written", err)[1])  # type: ignore[index]
    assert total > 2_000 and err.count("\n  - ") == MAX_PROBLEMS_SHOWN
    assert f"... and {total - MAX_PROBLEMS_SHOWN:,} more problem(s) not shown" in err


@pytest.mark.parametrize(
    "data",
    [b"\x1f\x8b\x08\x00", BILLION_LAUGHS.encode(), "org: 한국\n".encode("cp949")],
    ids=["gzip", "aliases", "cp949"],
)
def test_synth_of_an_unreadable_registry_writes_nothing(tmp_path: Path, data: bytes) -> None:
    from platform_stacks.synth import synth

    bad = tmp_path / "bad.yaml"
    bad.write_bytes(data)
    out = tmp_path / "cdktf.out"
    out.mkdir()
    (out / "keep.txt").write_text("previous output")
    with pytest.raises(ConfigError):
        synth(bad, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml", "cdktf.out"]
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
