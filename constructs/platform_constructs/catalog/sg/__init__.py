"""Security group module: one group, one ``aws_vpc_security_group_*_rule`` resource per rule."""

from platform_constructs.catalog.sg.construct import SecurityGroup
from platform_constructs.catalog.sg.props import SecurityGroupProps, SgRule

__all__ = ["SecurityGroup", "SecurityGroupProps", "SgRule"]
