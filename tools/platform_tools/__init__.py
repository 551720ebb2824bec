"""Everything around the constructs and stacks: the ``infra`` CLI, deploy, service-repo files, the module
catalog's export and release, and the guardrails that judge service pull requests.

Imports point one way: ``platform_constructs`` ← ``platform_stacks`` ← ``platform_tools``
(tests/architecture/test_layering.py). The guardrails import only the registry and the errors from below,
so a service repo's CI can run them from a light install without CDKTF, Node.js or Terraform.
"""
