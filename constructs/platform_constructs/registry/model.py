"""Validated model of ``platform.yaml``.

Every field says its unit, range and default. Strings that end up in resource names, S3 bucket names,
HCL or YAML are pattern-checked here, once, so templates and constructs can trust them.
"""

from __future__ import annotations

import ipaddress
import re
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from platform_constructs.errors import ConfigError, Problem, shown_value, summarize
from platform_constructs.naming import SEGMENT_PATTERN, Kind, check_name, state_bucket_name
from platform_constructs.registry.conventions import RESERVED_NAMES
from platform_constructs.registry.regions import closest_regions, known_regions

CROSS_FIELD_MARKER = "cross-field:\n"

#: Names that are part of resource names: lower-case, start with a letter, single inner hyphens.
NAME_PATTERN = f"^{SEGMENT_PATTERN}$"

# Explicit ASCII classes everywhere: pydantic's regex engine (Rust) and Python's ``re`` read ``\d`` and ``\w``
# as Unicode classes, so full-width or Arabic-Indic digits would pass and reach backend.tf and ARNs.
ACCOUNT_PATTERN = r"^[0-9]{12}$"
EMAIL_PATTERN = r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$"
COST_CENTER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]{0,30}[A-Za-z0-9]$"
REGION_PATTERN = r"^(?:af|ap|ca|eu|il|me|mx|sa|us)-[a-z]+-[0-9]$"
REPO_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,98}[A-Za-z0-9])?$"
OWNER_PATTERN = r"^[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}$"
HOST_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$"
ROLE_NAME_PATTERN = r"^[A-Za-z0-9_+=,.@-]{1,64}$"
TABLE_PATTERN = r"^[a-zA-Z0-9_.-]{3,255}$"
ALIAS_PATTERN = r"^[a-zA-Z0-9/_-]{1,250}$"
LABEL_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 ._:-]{0,49}$"
TEAM_SLUG_PATTERN = r"^[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}/[a-z0-9](?:[a-z0-9_-]{0,98}[a-z0-9])?$"
WORKDIR_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}(?:/[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}){0,7}$"
PROVIDER_PATTERN = r"^(?:[a-z0-9.-]+/)?[a-z0-9-]{1,64}/[a-z0-9-]{1,64}$"
MODULE_SOURCE_PATTERN = r"^[A-Za-z0-9:/._@?=&+-]{3,300}$"

#: What each pattern means, in words, for error messages.
PATTERN_RULES = {
    NAME_PATTERN: "lower-case letters and digits, starting with a letter, with single inner hyphens "
    "(it becomes part of resource and bucket names)",
    ACCOUNT_PATTERN: "exactly 12 digits, quoted",
    EMAIL_PATTERN: "an email address",
    COST_CENTER_PATTERN: "letters, digits and inner hyphens, 2-32 characters (for example CC-1001)",
    REGION_PATTERN: "a region of the commercial AWS partition such as ap-northeast-2 (GovCloud, China and ISO "
    "regions need other ARN partitions, which the platform does not generate yet)",
    REPO_PATTERN: "a GitHub repository name (letters, digits, '.', '_', '-')",
    OWNER_PATTERN: "a GitHub organisation or user name",
    HOST_PATTERN: "a lower-case host name such as github.com",
    ROLE_NAME_PATTERN: "an IAM role name (letters, digits, '+=,.@_-', at most 64)",
    TABLE_PATTERN: "a DynamoDB table name (letters, digits, '_.-', 3-255)",
    ALIAS_PATTERN: "a KMS alias without the 'alias/' prefix (letters, digits, '/_-')",
    LABEL_PATTERN: "a GitHub label: a letter or digit, then letters, digits, spaces and '._:-', at most 50",
    TEAM_SLUG_PATTERN: "ORG/TEAM-SLUG of a GitHub team, for example acme/platform",
    WORKDIR_PATTERN: "a relative path inside the repository such as infra (no '..', no leading '/')",
    PROVIDER_PATTERN: "a provider source address such as hashicorp/aws or registry.terraform.io/hashicorp/aws",
    MODULE_SOURCE_PATTERN: "a module source prefix such as git::https://github.com/acme/shared-modules.git//",
}

AccountId = Annotated[str, Field(strict=True, pattern=ACCOUNT_PATTERN)]
EnvName = Annotated[str, StringConstraints(pattern=NAME_PATTERN, min_length=2, max_length=8)]
ServiceName = Annotated[str, StringConstraints(pattern=NAME_PATTERN, min_length=2, max_length=20)]
Email = Annotated[str, StringConstraints(pattern=EMAIL_PATTERN, max_length=254)]
TeamName = Annotated[str, StringConstraints(pattern=NAME_PATTERN, min_length=2, max_length=40)]
CostCenter = Annotated[str, StringConstraints(pattern=COST_CENTER_PATTERN)]


def _existing_region(region: str) -> str:
    """Refuse a well-formed code that is no region (``ap-northeast-9``): it would fail only at deploy time."""
    if region not in known_regions():
        close = closest_regions(region)
        hint = f"did you mean {' or '.join(close)}? " if close else ""
        raise ValueError(
            "is not a region of the commercial AWS partition (regions.json, from botocore); "
            f"fix: {hint}use an existing region code"
        )
    return region


# The pattern runs first, so China, GovCloud and ISO regions keep the pattern's "other partitions" message.
Region = Annotated[str, StringConstraints(pattern=REGION_PATTERN), AfterValidator(_existing_region)]
RepoName = Annotated[str, StringConstraints(pattern=REPO_PATTERN)]
GitHubOwner = Annotated[str, StringConstraints(pattern=OWNER_PATTERN)]
Hostname = Annotated[str, StringConstraints(pattern=HOST_PATTERN)]


def cross_field_problems(
    org: object,
    account_id: object,
    key_alias: object,
    envs: list[object],
    services: list[tuple[object, object]],
    *,
    service_envs: list[tuple[int, list[object]]] | None = None,
) -> list[str]:
    """Rules that span fields: uniqueness, reserved names, derived names that must fit AWS limits.

    Takes plain values so the loader can run it on raw YAML too, next to field validation, and the
    user sees every problem in one pass.
    """
    problems = []
    # First index of each name and repository: one pass each, so 50,000 services cost 50,000 look-ups.
    first_name: dict[object, int] = {}
    first_repo: dict[str, int] = {}
    for i, (name, repo) in enumerate(services):
        try:
            earlier = first_name.setdefault(name, i)
        except TypeError:  # an unhashable raw value: the field error reports it
            earlier = i
        if earlier != i:
            problems.append(
                f"services[{i}].name: duplicate service {name!r}, first registered as services[{earlier}]; "
                f"fix: register each service once"
            )
        if name in RESERVED_NAMES:
            problems.append(
                f"services[{i}].name: {name!r} is reserved for the platform's own scopes; fix: choose another name"
            )
        key = str(repo).lower()
        earlier = first_repo.setdefault(key, i)
        if earlier != i:
            problems.append(
                f"services[{i}].repo: repository {key!r} is registered twice, first as services[{earlier}]; "
                f"fix: one repository per service"
            )
    problems += [
        f"environments.{env}: {env!r} is reserved for the platform's own scopes; fix: rename it"
        for env in envs
        if env in RESERVED_NAMES
    ]
    known_envs = set(envs)
    for i, wanted in service_envs or []:
        problems += [
            f"services[{i}].environments[{j}]: {env!r} is not an environment in platform.yaml; "
            f"fix: one of {summarize(envs)}, or leave the list empty for all"
            for j, env in enumerate(wanted)
            if (env not in known_envs if isinstance(env, str) else env not in envs)
        ]
    # Names derived from the registry must fit AWS limits; failing here beats failing at synth.
    if isinstance(org, str) and isinstance(account_id, str):
        try:
            state_bucket_name(org, account_id)
        except ConfigError as err:
            problems += [f"org: {p.message} (got {shown_value(p.value)}); fix: {p.fix}" for p in err.problems]
    if isinstance(key_alias, str):
        try:
            check_name(Kind.KMS_ALIAS, f"alias/{key_alias}", field="state_backend.key_alias")
        except ConfigError as err:
            problems += [f"state_backend.key_alias: {p.message}; fix: {p.fix}" for p in err.problems]
    return problems


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class GitHub(_Model):
    """Where the service repositories live; Atlantis's allowlist is built from this."""

    host: Hostname = Field("github.com", description="GitHub host (github.com or a GHES hostname)")
    owner: GitHubOwner = Field(description="organisation or user that owns the repositories")
    platform_repo: RepoName = Field(
        "platform-infra",
        description="this repository's name: service repos source the module catalog from it (?ref=vX.Y.Z)",
    )

    @property
    def catalog_source(self) -> str:
        """``git::`` address of ``modules_out/`` in this repository, without the module or ``?ref``."""
        return f"git::https://{self.host}/{self.owner}/{self.platform_repo}.git//modules_out"


class PlatformTeam(_Model):
    """The platform team and its account: it owns the state backend, Atlantis and shared stacks."""

    account_id: AccountId = Field(description="AWS account that holds the state backend and Atlantis")
    team: TeamName = Field("platform", description="value of the Team tag on platform resources")
    owner: Email = Field(description="value of the Owner tag on platform resources")
    cost_center: CostCenter = Field(description="value of the CostCenter tag on platform resources")
    atlantis_role_name: Annotated[str, StringConstraints(pattern=ROLE_NAME_PATTERN)] = Field(
        "atlantis-task-role", description="IAM role Atlantis runs as; it may use the state key"
    )
    admin_role_arns: tuple[str, ...] = Field(
        (),
        description="IAM role ARNs allowed to administer (not use) the platform KMS keys; the account "
        "root is always allowed so the key can never become unmanageable",
    )

    @model_validator(mode="after")
    def _role_arns(self) -> PlatformTeam:
        # The key policies match administrators in the platform account only (aws:PrincipalAccount):
        # a role elsewhere would pass validation and silently never match.
        # Reported per entry, under its own path (the loader prefixes the section's path), not as the section.
        problems = [
            f"admin_role_arns[{i}]: {shown_value(arn)} is not an IAM role ARN in the platform account; "
            f"fix: arn:aws:iam::{self.account_id}:role/<name>"
            for i, arn in enumerate(self.admin_role_arns)
            if not re.fullmatch(rf"arn:aws:iam::{self.account_id}:role/[A-Za-z0-9_+=,.@/-]{{1,512}}", arn)
        ]
        if problems:
            raise ValueError(CROSS_FIELD_MARKER + "\n".join(problems))
        return self


class Environment(_Model):
    """One deployment environment; its name is the ``{env}`` segment of every resource name."""

    account_id: AccountId = Field(description="AWS account of this environment (may equal the platform's)")
    production: bool = Field(
        False, description="production rules apply: deletion protection, HA, longest log retention"
    )


class Service(_Model):
    """A service team's repository, registered for Atlantis, the state backend and the tag policy."""

    name: ServiceName = Field(description="the ``{service}`` segment of resource names and the state key")
    repo: RepoName = Field(description="repository name under github.owner")
    team: TeamName = Field(description="value of the Team tag")
    owner: Email = Field(description="value of the Owner tag: the accountable person's email")
    cost_center: CostCenter = Field(description="value of the CostCenter tag")
    working_directory: Annotated[str, StringConstraints(pattern=WORKDIR_PATTERN)] = Field(
        "infra", description="the repository's Terraform root (holds environments/<env>/); the PR check reads it here"
    )
    environments: tuple[EnvName, ...] = Field(
        (), description="environments the service deploys to (each planned on every PR); empty = all of them"
    )
    infracost: bool = Field(True, description="run Infracost on the service's PRs (needs INFRACOST_API_KEY)")

    @model_validator(mode="after")
    def _safe_workdir(self) -> Service:
        if any(part in ("..", ".") for part in self.working_directory.split("/")):
            raise ValueError(
                f"{CROSS_FIELD_MARKER}working_directory: {shown_value(self.working_directory)} has a '.' or '..' "
                "segment; fix: a path inside the repository such as infra"
            )
        return self


class StateBackendSettings(_Model):
    """Knobs of the Terraform state backend (seed task 1-1)."""

    lock: Literal["dynamodb", "s3", "both"] = Field(
        "both",
        description="lock style written into backend.tf: the DynamoDB table the spec asks for, S3 "
        "native lockfiles (Terraform >= 1.11), or both at once (the migration path between them)",
    )
    noncurrent_version_days: int = Field(90, ge=1, le=3650, description="days a superseded state version is kept")
    noncurrent_versions_kept: int = Field(
        20, ge=1, le=100, description="newest superseded versions always kept, whatever their age"
    )
    lock_table_name: Annotated[str, StringConstraints(pattern=TABLE_PATTERN)] = Field(
        "terraform-state-lock", description="DynamoDB lock table name"
    )
    key_alias: Annotated[str, StringConstraints(pattern=ALIAS_PATTERN)] = Field(
        "terraform-state-key", description="KMS alias (without 'alias/') of the state key"
    )
    bootstrap_migrated: bool = Field(
        False,
        description="the backend stack's own state has been migrated "
        "from the local file into the bucket (see docs/state-backend.md)",
    )

    @field_validator("key_alias")
    @classmethod
    def _alias_unprefixed(cls, key_alias: str) -> str:
        # The stacks write ``alias/<key_alias>``: a value that already starts with alias/ would become
        # alias/alias/..., a new alias rather than the one the operator meant.
        if key_alias.startswith("alias/"):
            raise ValueError(
                "must not start with 'alias/' (the platform adds it); fix: write it without the alias/ prefix"
            )
        return key_alias


class CostGuardrails(_Model):
    """Infracost thresholds a service PR is held to (docs/guardrails/cost.md); amounts are monthly, in USD."""

    warn_percent: Decimal = Field(Decimal("10"), gt=0, description="monthly cost increase (%) that warns")
    block_percent: Decimal = Field(Decimal("30"), gt=0, description="increase (%) that blocks pending approval")
    new_warn_amount: Decimal = Field(Decimal("100"), ge=0, description="new project (no past cost): warn above")
    new_block_amount: Decimal = Field(Decimal("1000"), ge=0, description="new project: block above")
    min_change: Decimal = Field(Decimal("10"), ge=0, description="absolute change below which nothing warns")

    @model_validator(mode="after")
    def _ordered(self) -> CostGuardrails:
        # Named on the blocking field, with both values: the warning level is the one teams usually mean.
        problems = [
            f"{block}: {getattr(self, block)} must be greater than {warn} ({getattr(self, warn)}); "
            f"fix: raise {block} above {getattr(self, warn)} or lower {warn}"
            for block, warn in (("block_percent", "warn_percent"), ("new_block_amount", "new_warn_amount"))
            if getattr(self, block) <= getattr(self, warn)
        ]
        if problems:
            raise ValueError(CROSS_FIELD_MARKER + "\n".join(problems))
        return self


class OverrideSettings(_Model):
    """Who may waive a blocking guardrail finding on a PR: the label alone never does (docs/guardrails/README.md)."""

    label: Annotated[str, StringConstraints(pattern=LABEL_PATTERN)] = Field(
        "infra-override", description="PR label that asks for an override"
    )
    approvers: tuple[GitHubOwner, ...] = Field(
        (), description="GitHub logins whose approving review on the head commit grants the override"
    )
    team: Annotated[str, StringConstraints(pattern=TEAM_SLUG_PATTERN)] | None = Field(
        None, description="ORG/TEAM-SLUG whose members may approve an override (the workflow needs PLATFORM_TEAM_TOKEN)"
    )


#: IPv6 ranges that stand for IPv4 addresses (mapped, NAT64, 6to4, the deprecated compatible form): allowlisting one
#: would let a service open to the IPv4 internet through an IPv6 rule.
IPV4_TRANSLATION_RANGES = tuple(
    ipaddress.ip_network(c) for c in ("::ffff:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "2002::/16", "::/96")
)


class PublicCidr(_Model):
    """A public address range that service security groups may open to (an office egress, a vendor's webhooks)."""

    cidr: str = Field(description="IPv4 or IPv6 CIDR, for example 203.0.113.0/24")
    description: Annotated[str, StringConstraints(min_length=3, max_length=200)] = Field(
        description="why it is allowed, for the reviewers of platform.yaml (findings show only open ranges)"
    )

    @model_validator(mode="after")
    def _valid(self) -> PublicCidr:
        shown = shown_value(self.cidr)
        if not self.cidr.isascii():
            problem = f"cidr: {shown} has characters outside ASCII; fix: type the address in ASCII digits"
        else:
            try:
                net = ipaddress.ip_network(self.cidr, strict=True)
            except ValueError as err:
                reason = str(err).replace(self.cidr, "it")
                problem = (
                    f"cidr: {shown} is not a network address in CIDR form ({reason}); fix: for example 203.0.113.0/24"
                )
            else:
                if net.prefixlen < (16 if net.version == 4 else 32):
                    problem = (
                        f"cidr: {shown} is wider than /16 (IPv4) or /32 (IPv6); fix: list the narrow ranges you need"
                    )
                elif any(net.version == r.version and net.overlaps(r) for r in IPV4_TRANSLATION_RANGES):
                    problem = (
                        f"cidr: {shown} overlaps an IPv6 range that stands for IPv4 addresses (mapped, NAT64 or "
                        "6to4); fix: register the IPv4 range itself"
                    )
                else:
                    return self
        raise ValueError(CROSS_FIELD_MARKER + problem)


class NetworkGuardrails(_Model):
    """What counts as an open ingress: any CIDR outside private space and outside ``public_cidrs``."""

    public_cidrs: tuple[PublicCidr, ...] = Field(
        (), description="public ranges service security groups may allow ingress from"
    )


class SourceGuardrails(_Model):
    """Where a service repo's Terraform may take code from: modules and providers outside these are refused."""

    modules: tuple[Annotated[str, StringConstraints(pattern=MODULE_SOURCE_PATTERN)], ...] = Field(
        (),
        description="module source prefixes allowed besides the platform catalog and local ./ paths",
    )
    providers: tuple[Annotated[str, StringConstraints(pattern=PROVIDER_PATTERN)], ...] = Field(
        ("hashicorp/aws", "hashicorp/random", "hashicorp/null", "hashicorp/time", "hashicorp/tls", "hashicorp/archive"),
        description="provider source addresses a service may use (hashicorp/external and hashicorp/http never)",
    )

    @model_validator(mode="after")
    def _no_code_runners(self) -> SourceGuardrails:
        problems = [
            f"providers[{i}]: {shown_value(p)} runs programs or fetches URLs during the plan; fix: remove it"
            for i, p in enumerate(self.providers)
            if p.lower().split("/")[-2:] in (["hashicorp", "external"], ["hashicorp", "http"])
        ]
        if problems:
            raise ValueError(CROSS_FIELD_MARKER + "\n".join(problems))
        return self


class Guardrails(_Model):
    """Settings of the checks run on every service-repo PR (policy, scanners, cost)."""

    severity_threshold: Literal["CRITICAL", "HIGH", "MEDIUM", "LOW"] = Field(
        "HIGH", description="lowest trivy/checkov severity that blocks the merge"
    )
    cost: CostGuardrails = CostGuardrails()
    override: OverrideSettings = OverrideSettings()
    network: NetworkGuardrails = NetworkGuardrails()
    sources: SourceGuardrails = SourceGuardrails()


class Registry(_Model):
    """Root of ``platform.yaml``."""

    schema_version: Literal[1] = Field(description="format version of this file")
    org: Annotated[str, StringConstraints(pattern=NAME_PATTERN, min_length=2, max_length=20)] = Field(
        description="organisation slug: prefixes bucket names, so lower-case letters, digits and hyphens"
    )
    region: Region = Field(description="home AWS region of every stack")
    github: GitHub
    platform: PlatformTeam
    environments: dict[EnvName, Environment] = Field(min_length=1)
    services: tuple[Service, ...] = Field(min_length=1)
    state_backend: StateBackendSettings = StateBackendSettings()
    guardrails: Guardrails = Guardrails()

    @model_validator(mode="after")
    def _cross_field(self) -> Registry:
        problems = cross_field_problems(
            self.org,
            self.platform.account_id,
            self.state_backend.key_alias,
            list(self.environments),
            [(s.name, s.repo) for s in self.services],
            service_envs=[(i, list(s.environments)) for i, s in enumerate(self.services)],
        )
        if problems:
            # One line per problem, "path: message; fix: ..."; the loader turns each into a Problem.
            raise ValueError(CROSS_FIELD_MARKER + "\n".join(problems))
        return self

    # Derived values: computed, never stored, so they cannot disagree with the fields above.
    @property
    def state_bucket(self) -> str:
        return state_bucket_name(self.org, self.platform.account_id)

    @property
    def scope(self) -> str:
        """``{org}-{platform account}``: keys local files (bootstrap state, Terraform data) per registry."""
        return f"{self.org}-{self.platform.account_id}"

    @property
    def atlantis_role_arn(self) -> str:
        return f"arn:aws:iam::{self.platform.account_id}:role/{self.platform.atlantis_role_name}"

    # The one answer to "is this service / environment registered?": a Problem naming the registered ones.
    def service_problem(self, name: str, field: str = "service") -> Problem | None:
        if any(s.name == name for s in self.services):
            return None
        return Problem(
            field,
            "is not registered in platform.yaml",
            name,
            f"one of: {summarize(s.name for s in self.services)}; or onboard it by adding it under services:",
        )

    def environment_problem(self, name: str, field: str = "env") -> Problem | None:
        if name in self.environments:
            return None
        return Problem(field, "is not an environment in platform.yaml", name, f"one of: {summarize(self.environments)}")

    def service(self, name: str, field: str = "service") -> Service:
        """The registered service ``name``; a :class:`ConfigError` naming ``field`` otherwise."""
        problem = self.service_problem(name, field)
        if problem is not None:
            raise ConfigError("platform.yaml", [problem])
        return next(s for s in self.services if s.name == name)

    def environment(self, name: str, field: str = "env") -> Environment:
        problem = self.environment_problem(name, field)
        if problem is not None:
            raise ConfigError("platform.yaml", [problem])
        return self.environments[name]

    def service_environments(self, service: Service) -> tuple[str, ...]:
        """The environments a service's PRs are planned for: its own list, else every registered one."""
        return service.environments or tuple(self.environments)

    def repo_id(self, service: Service) -> str:
        return f"{self.github.host}/{self.github.owner}/{service.repo}"
