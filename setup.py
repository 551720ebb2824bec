"""Build hook: ship the repository-level data (policy/, templates/, scanner configs) inside the wheel.

Everything else is declared in pyproject.toml. The data stays at the top of the repository, where platform
engineers edit it; a non-editable build copies it to ``platform_tools/_data`` so an installed package finds it
(platform_tools/resources.py). Editable installs read it from the checkout instead.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
#: the same tuple as platform_tools.resources.DATA (tests/packaging keeps them equal)
DATA = ("policy", "templates", ".checkov.yaml", "trivy.yaml", ".trivyignore")


class BuildPyWithData(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "platform_tools" / "_data"
        shutil.rmtree(target, ignore_errors=True)
        for name in DATA:
            source = ROOT / name
            if not source.exists():
                raise SystemExit(f"setup.py: {source} is missing; build from a complete checkout or sdist")
            if source.is_dir():
                shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                target.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target / name)


setup(cmdclass={"build_py": BuildPyWithData})
