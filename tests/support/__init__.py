"""Test harness shared by the suite: environment checks, moto, a fake GitHub, git, HCL and catalog helpers."""
