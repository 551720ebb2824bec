"""ECS Fargate service module: task definition, service, scoped roles, security group, logs, autoscaling."""

from platform_constructs.catalog.ecs_service.construct import EcsService
from platform_constructs.catalog.ecs_service.props import EcsServiceProps

__all__ = ["EcsService", "EcsServiceProps"]
