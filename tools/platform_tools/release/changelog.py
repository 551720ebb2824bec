"""CHANGELOG.md, UPGRADE.md and the release notes: the hand-written notes merged with the computed changes.

Engineers write notes under ``## Unreleased`` while they work (per module, ``### <module>`` then
``- Added: ...`` lines); the release turns them into the version's entry, adds every change the interface
diff found that the notes do not already mention, and empties ``Unreleased``. UPGRADE.md works the same
way for breaking changes: its ``Unreleased`` notes join the generated steps of the next major.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from platform_tools.release.diff import SECTIONS, Change, minimum_bump
from platform_tools.release.version import Bump, Version

UNRELEASED = re.compile(r"^## \[?unreleased\]?\s*$", re.I | re.M)
_ITEM_PREFIX = re.compile(r"^(Added|Changed|Removed|Fixed|Deprecated|Security):\s*", re.I)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
CATALOG_SECTION = "catalog"

UNRELEASED_HINT = (
    "<!-- Write notes for the next release here, per module: a `### <module>` heading, then\n"
    "     `- Added: ...` / `- Changed: ...` / `- Removed: ...` / `- Fixed: ...` lines. `infra release` moves\n"
    "     them into the release entry with the changes it computes itself (see docs/releasing.md). -->"
)
UPGRADE_HINT = (
    "<!-- Write upgrade notes for the next major release here, per module: a `### <module>` heading, then\n"
    "     `- ` lines saying what callers must do. `infra release` adds them to the next major's section. -->"
)


@dataclass
class Notes:
    """Hand-written notes of an ``Unreleased`` section."""

    summary: list[str] = field(default_factory=list)  # paragraphs before the first ### heading
    items: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # module -> [(section, text)]

    @property
    def empty(self) -> bool:
        return not self.summary and not any(self.items.values())


@dataclass(frozen=True)
class Document:
    """A CHANGELOG/UPGRADE file split around its ``## Unreleased`` section."""

    head: str  # up to and including the "## Unreleased" line
    unreleased: str  # the hand-written body
    rest: str  # the released entries, newest first

    @classmethod
    def split(cls, text: str, title: str, intro: str) -> Document:
        match = UNRELEASED.search(text)
        if match is None:
            if not text.strip():
                text = f"{title}\n\n{intro}\n"
            first = re.search(r"^## ", text, re.M)
            cut = first.start() if first else len(text)
            return cls(text[:cut].rstrip() + "\n\n## Unreleased\n", "", text[cut:])
        following = re.search(r"^## ", text[match.end() :], re.M)
        end = match.end() + following.start() if following else len(text)
        return cls(text[: match.end()] + "\n", text[match.end() : end], text[end:])

    def render(self, entry: str, hint: str) -> str:
        parts = [self.head.rstrip("\n"), "", hint, ""]
        if entry:
            parts += [entry.rstrip("\n"), ""]
        if self.rest.strip():
            parts += [self.rest.strip("\n"), ""]
        return "\n".join(parts)


def parse_notes(body: str) -> Notes:
    notes = Notes()
    module: str | None = None
    paragraph: list[str] = []
    current: list[str] | None = None

    def flush_item() -> None:
        nonlocal current
        if current is not None and module is not None:
            text = " ".join(s.strip() for s in current).strip()
            match = _ITEM_PREFIX.match(text)
            section = match[1].capitalize() if match else "Changed"
            section = section if section in SECTIONS else ("Removed" if section == "Deprecated" else "Fixed")
            notes.items.setdefault(module, []).append((section, text[match.end() :] if match else text))
        current = None

    def flush_paragraph() -> None:
        if paragraph:
            notes.summary.append(" ".join(s.strip() for s in paragraph))
            paragraph.clear()

    for line in _COMMENT.sub("", body).splitlines():
        if line.startswith("### "):
            flush_item()
            flush_paragraph()
            module = line[4:].strip().strip("`")
            notes.items.setdefault(module, [])
        elif module is None:
            if line.strip():
                paragraph.append(line)
            else:
                flush_paragraph()
        elif line.startswith(("- ", "* ")):
            flush_item()
            current = [line[2:]]
        elif line.strip() and current is not None and line[:1].isspace():
            current.append(line)
        elif line.strip():
            flush_item()
            current = [line]
        else:
            flush_item()
    flush_item()
    flush_paragraph()
    notes.items = {m: items for m, items in notes.items.items() if items}
    return notes


def _mentions(text: str, subject: str) -> bool:
    return subject.startswith("`") and subject in text


def merged_items(changes: list[Change], notes: Notes) -> dict[str, list[tuple[str, str]]]:
    """Per module, in section order: the hand-written lines, then computed lines they do not mention."""
    out: dict[str, list[tuple[str, str]]] = {}
    modules = sorted({c.module for c in changes} | set(notes.items), key=lambda m: (m == CATALOG_SECTION, m))
    for module in modules:
        written = notes.items.get(module, [])
        # within a section: a new module's summary line, then the hand-written notes, then computed lines
        rows: list[tuple[int, int, str, str]] = [(SECTIONS.index(s), 1, s, t) for s, t in written]
        for change in (c for c in changes if c.module == module):
            headline = change.kind == "module-added"  # a new module's feature line always stays
            if not headline and any(s == change.section and _mentions(t, change.subject) for s, t in written):
                continue
            text = change.text + (" **(breaking)**" if change.bump is Bump.MAJOR else "")
            rows.append((SECTIONS.index(change.section), 0 if headline else 2, change.section, text))
        rows.sort(key=lambda r: (r[0], r[1]))
        out[module] = [(s, t) for _, _, s, t in rows]
    return out


def slug(heading: str) -> str:
    """GitHub's anchor for a markdown heading (links from the CHANGELOG and release notes)."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def changelog_heading(version: Version, day: date) -> str:
    return f"[{version}] - {day.isoformat()}"


def upgrade_heading(previous: Version | None, version: Version) -> str:
    return f"{previous.tag if previous else 'v0.x'} → {version.tag}"


def kind_sentence(bump: Bump, first: bool, upgrade_anchor: str) -> str:
    if first:
        return "Initial stable release."
    if bump is Bump.MAJOR:
        return f"Major release: breaking changes. Read [UPGRADE.md](UPGRADE.md#{upgrade_anchor}) before moving `?ref=`."
    if bump is Bump.MINOR:
        return "Minor release: new features; nothing changes for callers who do not use them."
    return "Patch release: fixes and documentation; callers' plans do not change."


@dataclass(frozen=True)
class ReleaseTexts:
    changelog: str  # the whole new CHANGELOG.md
    upgrade: str  # the whole new UPGRADE.md
    entry: str  # the new CHANGELOG entry alone
    upgrade_section: str  # the new UPGRADE.md section alone ("" when not a major)
    notes: str  # release notes (GitHub Release body and tag message)


@dataclass(frozen=True)
class Links:
    """Where the release's documents live on GitHub (``https://host/owner/repo``)."""

    web: str
    source: str  # git:: address of modules_out/ (module and ?ref appended)
    catalog_dir: str = "modules_out"

    def blob(self, tag: str, path: str) -> str:
        return f"{self.web}/blob/{tag}/{self.catalog_dir}/{path}"

    def tree(self, tag: str, path: str) -> str:
        return f"{self.web}/tree/{tag}/{self.catalog_dir}/{path}"


def render_release(
    *,
    changelog_text: str,
    upgrade_text: str,
    changes: list[Change],
    version: Version,
    previous: Version | None,
    day: date,
    modules: list[str],
    links: Links,
) -> ReleaseTexts:
    first = previous is None
    bump = Bump.MAJOR if first else version.bump_from(previous)  # type: ignore[arg-type]
    log = Document.split(changelog_text, "# Changelog", "All notable changes to the module catalog.")
    upg = Document.split(
        upgrade_text, "# Upgrade guide", "What to do when you move a service repo to a new major version."
    )
    notes = parse_notes(log.unreleased)
    upgrade_notes = parse_notes(upg.unreleased)
    up_heading = upgrade_heading(previous, version)
    up_anchor = slug(up_heading)
    items = merged_items(changes, notes)

    lines = [f"## {changelog_heading(version, day)}", "", kind_sentence(bump, first, up_anchor), ""]
    lines += [p + "\n" for p in notes.summary]
    for module, rows in items.items():
        lines += [f"### {module}", ""]
        lines += [f"- {section}: {text}" for section, text in rows]
        lines.append("")
    entry = "\n".join(lines).rstrip("\n") + "\n"

    upgrade_section = ""
    if bump is Bump.MAJOR:
        upgrade_section = _upgrade_section(
            changes=changes, notes=upgrade_notes, previous=previous, version=version, day=day, heading=up_heading
        )
        new_upgrade = upg.render(upgrade_section, UPGRADE_HINT)
    else:
        # the notes wait for the next major; keep them where engineers wrote them
        new_upgrade = Document(upg.head, upg.unreleased, upg.rest).render("", upg.unreleased.strip() or UPGRADE_HINT)
    new_changelog = log.render(entry, UNRELEASED_HINT)
    release_notes = _release_notes(
        changes=changes,
        items=items,
        notes=notes,
        version=version,
        previous=previous,
        day=day,
        bump=bump,
        links=links,
        modules=modules,
        upgrade_anchor=up_anchor,
        first=first,
    )
    return ReleaseTexts(new_changelog, new_upgrade, entry, upgrade_section, release_notes)


def _upgrade_section(
    *,
    changes: list[Change],
    notes: Notes,
    previous: Version | None,
    version: Version,
    day: date,
    heading: str,
) -> str:
    lines = [f"## {heading}", ""]
    entry_anchor = slug(changelog_heading(version, day))
    if previous is None:
        lines += [
            f"{version.tag} is the first tagged release of the catalog (released {day.isoformat()}; "
            f'[CHANGELOG](CHANGELOG.md#{entry_anchor})). "v0.x" is anything you sourced before it: a branch, '
            "a commit, or a copy of a module folder.",
            "",
            "1. Point every `source` at the tag: "
            f"`git::https://<host>/<owner>/<repo>.git//modules_out/<module>?ref={version.tag}`.",
            "2. Run `terraform init -upgrade` (Terraform downloads the modules at the tag).",
            "3. Run `terraform plan`. Expect no changes to existing resources; a replacement means your copy "
            "differed from the released module: read the module's README (inputs, defaults) and set the "
            "argument that keeps your resource, or add a `moved` block for a renamed address.",
            "4. From now on move `?ref=` only to released tags; minor and patch releases need no steps.",
            "",
        ]
    else:
        lines += [
            f"Released {day.isoformat()} ([CHANGELOG](CHANGELOG.md#{entry_anchor})). For every service repo:",
            "",
            f"1. Change `?ref={previous.tag}` to `?ref={version.tag}` and run `terraform init -upgrade`.",
            "2. Make the changes listed below for each module you use.",
            "3. Run `terraform plan` and check that it only shows what the list below announces.",
            "",
        ]
    breaking = [c for c in changes if c.bump is Bump.MAJOR]
    for module in sorted({c.module for c in breaking} | set(notes.items)):
        lines += [f"### {module}", ""]
        for change in (c for c in breaking if c.module == module):
            lines.append(f"- **{change.section}: {change.text}.** {change.upgrade_action}".rstrip())
        for _section, text in notes.items.get(module, []):
            lines.append(f"- {text}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _release_notes(
    *,
    changes: list[Change],
    items: dict[str, list[tuple[str, str]]],
    notes: Notes,
    version: Version,
    previous: Version | None,
    day: date,
    bump: Bump,
    links: Links,
    modules: list[str],
    upgrade_anchor: str,
    first: bool,
) -> str:
    tag = version.tag
    computed = minimum_bump(changes)
    if first:
        summary = f"First stable release of the module catalog: {', '.join(f'`{m}`' for m in modules)}."
    else:
        summary = (
            f"{bump.name.capitalize()} release after {previous.tag if previous else 'nothing'}: "
            f"{len(changes)} change(s) in {len({c.module for c in changes})} module(s); the interface diff "
            f"requires at least a {computed} release."
        )
    lines = [f"# Module catalog {tag}", "", f"Released {day.isoformat()}. {summary}", ""]
    lines += [p + "\n" for p in notes.summary]
    if bump is Bump.MAJOR and not first:
        lines += [
            f"**Breaking changes.** Read the [upgrade guide]({links.blob(tag, 'UPGRADE.md')}#{upgrade_anchor}) "
            "before moving `?ref=`; every breaking change is listed there with what to do.",
            "",
        ]
    lines += ["## Changes", ""]
    for module, rows in items.items():
        lines += [f"### {module}", ""]
        lines += [f"- {section}: {text}" for section, text in rows]
        lines.append("")
    example = modules[0] if modules else "<module>"
    lines += [
        "## Using this release",
        "",
        "Pin the tag in every module block:",
        "",
        "```hcl",
        f'source = "{links.source}/{example}?ref={tag}"',
        "```",
        "",
        "## Links",
        "",
        f"- [CHANGELOG]({links.blob(tag, 'CHANGELOG.md')})",
        f"- [Upgrade guide]({links.blob(tag, 'UPGRADE.md')})",
        f"- [Module catalog and usage guide]({links.blob(tag, 'README.md')})",
        "- Module READMEs: " + ", ".join(f"[{m}]({links.tree(tag, m)})" for m in modules),
        "",
    ]
    return "\n".join(lines)
