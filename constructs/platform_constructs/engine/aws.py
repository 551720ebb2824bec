"""AWS provider classes the platform uses, loaded lazily (see :mod:`platform_constructs.engine`).

Add a class here when a construct needs it; each submodule costs milliseconds, the whole package ~9 s.
"""

from platform_constructs.engine import PROVIDER_PACKAGE, lazy_provider_package

lazy_provider_package(PROVIDER_PACKAGE)

# The imports below must follow the lazy registration above.
from cdktf_cdktf_provider_aws.dynamodb_table import (  # noqa: E402
    DynamodbTable,
    DynamodbTableAttribute,
    DynamodbTablePointInTimeRecovery,
    DynamodbTableServerSideEncryption,
)
from cdktf_cdktf_provider_aws.kms_alias import KmsAlias  # noqa: E402
from cdktf_cdktf_provider_aws.kms_key import KmsKey  # noqa: E402
from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderDefaultTags  # noqa: E402
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket  # noqa: E402
from cdktf_cdktf_provider_aws.s3_bucket_lifecycle_configuration import (  # noqa: E402
    S3BucketLifecycleConfiguration,
    S3BucketLifecycleConfigurationRule,
    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
    S3BucketLifecycleConfigurationRuleExpiration,
    S3BucketLifecycleConfigurationRuleFilter,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration,
)
from cdktf_cdktf_provider_aws.s3_bucket_logging import S3BucketLoggingA  # noqa: E402
from cdktf_cdktf_provider_aws.s3_bucket_notification import S3BucketNotification  # noqa: E402
from cdktf_cdktf_provider_aws.s3_bucket_ownership_controls import (  # noqa: E402
    S3BucketOwnershipControls,
    S3BucketOwnershipControlsRule,
)
from cdktf_cdktf_provider_aws.s3_bucket_policy import S3BucketPolicy  # noqa: E402
from cdktf_cdktf_provider_aws.s3_bucket_public_access_block import S3BucketPublicAccessBlock  # noqa: E402
from cdktf_cdktf_provider_aws.s3_bucket_server_side_encryption_configuration import (  # noqa: E402
    S3BucketServerSideEncryptionConfigurationA,
    S3BucketServerSideEncryptionConfigurationRuleA,
    S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA,
)
from cdktf_cdktf_provider_aws.s3_bucket_versioning import (  # noqa: E402
    S3BucketVersioningA,
    S3BucketVersioningVersioningConfiguration,
)

__all__ = [
    "AwsProvider",
    "AwsProviderDefaultTags",
    "DynamodbTable",
    "DynamodbTableAttribute",
    "DynamodbTablePointInTimeRecovery",
    "DynamodbTableServerSideEncryption",
    "KmsAlias",
    "KmsKey",
    "S3Bucket",
    "S3BucketLifecycleConfiguration",
    "S3BucketLifecycleConfigurationRule",
    "S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload",
    "S3BucketLifecycleConfigurationRuleExpiration",
    "S3BucketLifecycleConfigurationRuleFilter",
    "S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration",
    "S3BucketLoggingA",
    "S3BucketNotification",
    "S3BucketOwnershipControls",
    "S3BucketOwnershipControlsRule",
    "S3BucketPolicy",
    "S3BucketPublicAccessBlock",
    "S3BucketServerSideEncryptionConfigurationA",
    "S3BucketServerSideEncryptionConfigurationRuleA",
    "S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA",
    "S3BucketVersioningA",
    "S3BucketVersioningVersioningConfiguration",
]
