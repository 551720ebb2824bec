"""Application Load Balancer module: HTTPS listener, built-in HTTP → HTTPS redirect, keyed target groups and rules."""

from platform_constructs.catalog.alb.construct import Alb
from platform_constructs.catalog.alb.props import AlbProps, CertificateDomain, ListenerRule, TargetGroup

__all__ = ["Alb", "AlbProps", "CertificateDomain", "ListenerRule", "TargetGroup"]
