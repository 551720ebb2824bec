"""Per-module case tables of the catalog tests (valid inputs, failing values, failing combinations)."""

from support.catalog import Bad

#: the first words of the reserved-tag rule's message (platform_constructs.catalog.common.reserved_tag_keys)
RESERVED_TAG_MESSAGE = "are set by the module and cannot be overridden"


def reserved_tag_cases(*extra: str) -> list[Bad]:
    """A caller's ``tags`` trying to take each tag the module sets (``extra``: the module's own, such as rds's
    Role), as written and in other letter cases: ``service`` would be a second tag next to ``Service`` that the
    tag policy never reads, and IAM treats it as the same key."""
    keys = ("Environment", "Service", "ManagedBy", "Name", *extra)
    return [
        Bad("tags", {"Team": "orders", variant: "override"}, RESERVED_TAG_MESSAGE)
        for key in keys
        for variant in (key, key.lower())
    ]
