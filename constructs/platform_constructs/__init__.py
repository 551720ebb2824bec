"""Construct library for the central infrastructure platform.

This package lives under the top-level ``constructs/`` source root on purpose: the CDK base library is
itself named ``constructs`` and extends its package path over any ``constructs`` folder on ``sys.path``,
so this library must have a name of its own (see docs/architecture.md).
"""

__version__ = "0.1.0"
