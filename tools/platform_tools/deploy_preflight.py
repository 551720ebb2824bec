"""Before ``infra deploy`` starts Terraform: who is calling, and may that identity touch this stack's account?

Terraform's own answer comes late and raw: ``No valid credential sources found`` after init and part of a plan,
or ``AWS account ID not allowed`` without saying which account was wanted. The pre-flight asks STS the same
question first (``GetCallerIdentity``, the one call every identity may make) with the stack's own provider
settings (region, profile, keys, the STS endpoint and ``assume_role`` from the synthesized stack and its override
files), and ends with a message that names the account, the role and the fix (exit 6) before anything runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platform_constructs.errors import PrerequisiteError

#: where docs explain how a platform engineer reaches the platform account
DOCS = "docs/deploying.md#reaching-the-platform-account"


class PreflightError(PrerequisiteError):
    """The caller cannot deploy this stack as things are: no credentials, refused ones, or another account."""


@dataclass(frozen=True)
class ProviderTarget:
    """The default ``aws`` provider of a stack folder, after Terraform's override files are merged in."""

    region: str
    allowed_account_ids: tuple[str, ...]
    profile: str | None = None
    access_key: str | None = None
    secret_key: str | None = None
    token: str | None = None
    sts_endpoint: str | None = None
    role_arn: str | None = None
    ca_bundle: str | None = None


@dataclass(frozen=True)
class Identity:
    arn: str
    account: str
    #: the role the provider assumes (None: the caller's own identity deploys)
    role_arn: str | None

    @property
    def deploying_account(self) -> str:
        return _account_of(self.role_arn) if self.role_arn else self.account


def _account_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 else ""


def _default_provider(provider: Any) -> dict[str, Any]:
    """The un-aliased ``aws`` block of a ``provider`` section (CDKTF writes a list, people often a mapping)."""
    blocks = provider.get("aws", []) if isinstance(provider, dict) else []
    blocks = [blocks] if isinstance(blocks, dict) else list(blocks)
    return next((b for b in blocks if isinstance(b, dict) and not b.get("alias")), {})


def _first(value: Any) -> dict[str, Any]:
    """A nested block as JSON writes it: a mapping, or a list holding one."""
    if isinstance(value, list):
        value = value[0] if value else {}
    return value if isinstance(value, dict) else {}


def _literal(value: Any) -> Any:
    """python-hcl2's output as JSON would hold it: block labels and string literals unquoted, markers dropped
    (a provider override holds literals; an expression stays as written and cannot match an account anyway)."""
    if isinstance(value, dict):
        return {_literal(k): _literal(v) for k, v in value.items() if not str(k).startswith("__")}
    if isinstance(value, list):
        return [_literal(v) for v in value]
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"' and "${" not in value:
        return json.loads(value)
    return value


def _override_blocks(stack_dir: Path) -> list[dict[str, Any]]:
    """The ``aws`` provider blocks of the folder's override files, in Terraform's order (lexical by name)."""
    found = []
    for path in sorted(stack_dir.iterdir()):
        if path.name.endswith("_override.tf.json") or path.name == "override.tf.json":
            found.append(_default_provider(json.loads(path.read_text()).get("provider", {})))
        elif path.name.endswith("_override.tf") or path.name == "override.tf":
            import hcl2

            with path.open() as handle:
                doc = hcl2.load(handle)
            for section in doc.get("provider", []):
                found.append(_default_provider(_literal(section)))
    return found


def provider_target(stack_dir: Path) -> ProviderTarget:
    """Read what Terraform will use: ``cdk.tf.json``'s provider, each override replacing the arguments it sets
    (nested blocks such as ``endpoints`` and ``assume_role`` are replaced whole, as Terraform merges them)."""
    merged = dict(_default_provider(json.loads((stack_dir / "cdk.tf.json").read_text()).get("provider", {})))
    for block in _override_blocks(stack_dir):
        merged.update(block)
    endpoints = _first(merged.get("endpoints"))
    role = _first(merged.get("assume_role"))
    return ProviderTarget(
        region=str(merged.get("region") or ""),
        allowed_account_ids=tuple(str(a) for a in merged.get("allowed_account_ids") or ()),
        profile=merged.get("profile"),
        access_key=merged.get("access_key"),
        secret_key=merged.get("secret_key"),
        token=merged.get("token"),
        sts_endpoint=endpoints.get("sts"),
        role_arn=role.get("role_arn"),
        ca_bundle=merged.get("custom_ca_bundle"),
    )


def _wanted(stack: str, target: ProviderTarget) -> str:
    accounts = " or ".join(target.allowed_account_ids) or "any account"
    role = f", through role {target.role_arn}" if target.role_arn else ""
    return f"stack {stack!r} deploys to account {accounts} in {target.region or 'the default region'}{role}"


def _fix(target: ProviderTarget) -> str:
    profile = f"the profile {target.profile!r} the stack names" if target.profile else "a profile for that account"
    return (
        f"sign in with {profile} (for example `aws sso login --profile NAME`, then `AWS_PROFILE=NAME make deploy "
        f"...`) or export credentials for it; see {DOCS}"
    )


def _sts_client(target: ProviderTarget, credentials: dict[str, str] | None = None) -> Any:
    import boto3

    session = boto3.Session(
        profile_name=None if credentials or target.access_key else target.profile,
        aws_access_key_id=(credentials or {}).get("AccessKeyId") or target.access_key,
        aws_secret_access_key=(credentials or {}).get("SecretAccessKey") or target.secret_key,
        aws_session_token=(credentials or {}).get("SessionToken") or target.token,
        region_name=target.region or None,
    )
    return session.client("sts", endpoint_url=target.sts_endpoint, verify=target.ca_bundle or None)


def caller_identity(stack: str, target: ProviderTarget, client: Callable[..., Any] = _sts_client) -> Identity:
    """Who the stack's provider would act as; :class:`PreflightError` with the fix when that is nobody usable."""
    from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError, NoCredentialsError

    wanted = _wanted(stack, target)
    try:
        me = client(target).get_caller_identity()
    except NoCredentialsError:
        raise PreflightError(f"no AWS credentials found; {wanted}\n      fix: {_fix(target)}") from None
    except EndpointConnectionError as err:
        raise PreflightError(
            f"cannot reach AWS STS ({err}); {wanted}\n      fix: check the network, or the sts endpoint of an "
            "--override-file"
        ) from None
    except ClientError as err:
        code = err.response.get("Error", {}).get("Code", "error")
        raise PreflightError(
            f"AWS refused the credentials ({code}: {err.response.get('Error', {}).get('Message', '')}); {wanted}\n"
            f"      fix: they may have expired: {_fix(target)}"
        ) from None
    except BotoCoreError as err:  # a profile that does not exist, an SSO session that expired, a bad config file
        raise PreflightError(
            f"AWS credentials could not be loaded ({err}); {wanted}\n      fix: {_fix(target)}"
        ) from None
    arn, account = str(me["Arn"]), str(me["Account"])
    if target.role_arn:
        try:
            client(target).assume_role(RoleArn=target.role_arn, RoleSessionName="infra-deploy-preflight")
        except ClientError as err:
            code = err.response.get("Error", {}).get("Code", "error")
            raise PreflightError(
                f"{arn} may not assume {target.role_arn} ({code}); {wanted}\n      fix: sign in as an identity "
                f"the role trusts (its trust policy names who may assume it); see {DOCS}"
            ) from None
    identity = Identity(arn=arn, account=account, role_arn=target.role_arn)
    allowed = target.allowed_account_ids
    if allowed and identity.deploying_account not in allowed:
        raise PreflightError(
            f"these credentials are for account {identity.deploying_account} ({arn}), but {wanted}\n"
            f"      fix: {_fix(target)}; the account comes from platform.yaml (platform.account_id for the "
            "shared stacks, environments.<env>.account_id for per-environment ones)"
        )
    return identity
