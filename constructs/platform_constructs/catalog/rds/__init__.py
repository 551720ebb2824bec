"""RDS module: a PostgreSQL or MySQL instance, private and encrypted with a customer-managed key."""

from platform_constructs.catalog.rds.construct import Rds
from platform_constructs.catalog.rds.props import RdsProps

__all__ = ["Rds", "RdsProps"]
