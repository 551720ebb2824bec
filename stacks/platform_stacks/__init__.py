"""The CDKTF app of the platform: stacks built from ``platform.yaml``, and the ``infra`` CLI."""
