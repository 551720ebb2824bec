"""CDK core classes, re-exported from the one package the seam names."""

from cdktf import (
    App,
    Aspects,
    Fn,
    IAspect,
    LocalBackend,
    S3Backend,
    TerraformOutput,
    TerraformResource,
    TerraformResourceLifecycle,
    TerraformStack,
    Token,
)
from constructs import Construct, IConstruct

# platform_constructs.engine (this package's __init__) has already pointed jsii at a supported Node.


__all__ = [
    "App",
    "Aspects",
    "Construct",
    "Fn",
    "IAspect",
    "IConstruct",
    "LocalBackend",
    "S3Backend",
    "TerraformOutput",
    "TerraformResource",
    "TerraformResourceLifecycle",
    "TerraformStack",
    "Token",
]

from cdktf import (
    TerraformDataSource,
    TerraformLocal,
    TerraformProviderGeneratorMetadata,
    TerraformVariable,
)

__all__ += ["TerraformDataSource", "TerraformLocal", "TerraformProviderGeneratorMetadata", "TerraformVariable"]
