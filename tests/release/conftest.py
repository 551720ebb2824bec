"""Fixtures the release tests share."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.release import git_env, released_repo


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository whose small catalog is released as v1.0.0; tests copy it before changing anything."""
    with pytest.MonkeyPatch.context() as mp:
        git_env(mp)
        return released_repo(tmp_path_factory.mktemp("baseline") / "repo")
