"""Semantic versions of the catalog (``vMAJOR.MINOR.PATCH`` tags) and the bump levels between them."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from platform_constructs.catalog import CATALOG_REF

_VERSION = re.compile(r"^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


class Bump(enum.IntEnum):
    """How far a release moves the version; ordered, so ``max()`` of the changes is the minimum bump."""

    NONE = 0
    PATCH = 1
    MINOR = 2
    MAJOR = 3

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Bump:
        try:
            bump = cls[text.upper()]
        except KeyError as err:
            raise ValueError(f"not a bump level: {text!r} (major, minor or patch)") from err
        if bump is cls.NONE:
            raise ValueError("a release needs a bump: major, minor or patch")
        return bump


@dataclass(frozen=True, order=True)
class Version:
    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str) -> Version:
        """``1.2.3`` or ``v1.2.3``; pre-release and build suffixes are refused (tags are pinned by consumers)."""
        match = _VERSION.match(text.strip())
        if not match:
            raise ValueError(f"not a version: {text!r} (expected MAJOR.MINOR.PATCH such as 1.2.0)")
        return cls(int(match[1]), int(match[2]), int(match[3]))

    @classmethod
    def from_tag(cls, tag: str) -> Version | None:
        """The version of a ``vX.Y.Z`` tag; None for any other tag name."""
        if not tag.startswith("v"):
            return None
        try:
            return cls.parse(tag)
        except ValueError:
            return None

    @property
    def tag(self) -> str:
        return f"v{self}"

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"

    def bumped(self, bump: Bump) -> Version:
        if bump is Bump.MAJOR:
            return Version(self.major + 1, 0, 0)
        if bump is Bump.MINOR:
            return Version(self.major, self.minor + 1, 0)
        if bump is Bump.PATCH:
            return Version(self.major, self.minor, self.patch + 1)
        return self

    def bump_from(self, previous: Version) -> Bump:
        """The level this version moves from ``previous`` (NONE when it does not move forward)."""
        if self <= previous:
            return Bump.NONE
        if self.major != previous.major:
            return Bump.MAJOR
        if self.minor != previous.minor:
            return Bump.MINOR
        return Bump.PATCH


#: the first release of the catalog: the ref the READMEs pin until a release exists (one constant, in the catalog)
FIRST = Version.parse(CATALOG_REF)
