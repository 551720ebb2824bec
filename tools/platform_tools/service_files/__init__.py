"""Files the platform renders for service repositories and the Atlantis server, from the registry and the
jinja2 templates in ``templates/``: ``backend.tf`` per environment, the guardrails caller workflow,
``infracost.yml`` (the whole ``infra/`` scaffold later). Every value is validated before it reaches a template.
"""
