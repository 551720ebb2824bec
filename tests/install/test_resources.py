"""The one resolver for the platform's data files (policies, templates, scanner configs)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from platform_constructs.errors import ConfigError
from platform_tools import resources
from support.env import REPO


def test_an_editable_install_reads_the_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(resources.ENV_VAR, raising=False)
    assert resources.data_root() == REPO
    assert resources.policy_dir() == REPO / "policy" and resources.templates_dir() == REPO / "templates"


def test_the_variable_points_at_another_platform_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in resources.DATA:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name)
        else:
            shutil.copy2(source, tmp_path / name)
    monkeypatch.setenv(resources.ENV_VAR, str(tmp_path))
    assert resources.data_root() == tmp_path.resolve()


def test_a_wrong_variable_is_an_error_not_a_fallback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "policy").mkdir()
    monkeypatch.setenv(resources.ENV_VAR, str(tmp_path))
    with pytest.raises(ConfigError) as caught:
        resources.data_root()
    message = str(caught.value)
    assert resources.ENV_VAR in message and "templates" in message and "unset it" in message
