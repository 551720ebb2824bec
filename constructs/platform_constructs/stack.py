"""Base class of every platform stack: pinned versions, a tagged provider, and the platform Aspects."""

from __future__ import annotations

from platform_constructs.aspects import RequiredTagsAspect
from platform_constructs.context import Label
from platform_constructs.engine import AWS_PROVIDER_CONSTRAINT, STACK_TERRAFORM_CONSTRAINT
from platform_constructs.engine.aws import AwsProvider, AwsProviderDefaultTags
from platform_constructs.engine.core import Aspects, Construct, TerraformStack


class PlatformStack(TerraformStack):
    """A stack whose every taggable resource carries the label's tags, proven at synth time.

    ``account_id`` goes into the provider's ``allowed_account_ids``: Terraform refuses to plan or apply
    with credentials for any other account, so a stack can never land in the wrong environment.
    """

    def __init__(self, scope: Construct, stack_id: str, *, label: Label, region: str, account_id: str) -> None:
        super().__init__(scope, stack_id)
        self.label = label
        self.region = region
        self.account_id = account_id
        self.provider_tags: dict[str, dict[str, str]] = {}
        self.provider = self.aws_provider("aws", region=region, tags=label.tags)
        self.tag_aspect = RequiredTagsAspect(self.provider_tags, self.provider.node.path)
        Aspects.of(self).add(self.tag_aspect)
        self.add_override("terraform.required_version", STACK_TERRAFORM_CONSTRAINT)
        self.add_override("terraform.required_providers.aws.version", AWS_PROVIDER_CONSTRAINT)

    def aws_provider(
        self, construct_id: str, *, region: str, tags: dict[str, str], alias: str | None = None
    ) -> AwsProvider:
        provider = AwsProvider(
            self,
            construct_id,
            region=region,
            alias=alias,
            allowed_account_ids=[self.account_id],
            default_tags=[AwsProviderDefaultTags(tags=tags)],
        )
        self.provider_tags[provider.node.path] = dict(tags)
        return provider
