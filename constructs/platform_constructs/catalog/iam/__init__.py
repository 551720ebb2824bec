"""IAM role module: one role, one least-privilege inline policy built from templates, managed attachments."""

from platform_constructs.catalog.iam.construct import IamRole
from platform_constructs.catalog.iam.props import IamRoleProps

__all__ = ["IamRole", "IamRoleProps"]
