"""Start moto's server with the fixes our Terraform tests need: ``python moto_launcher.py -H HOST -p PORT``
(any ``moto_server`` option passes through, e.g. ``-c CERT -k KEY`` to serve HTTPS).

Every patch closes a gap between moto 5.2.5 and AWS that the AWS provider or Terraform's S3 backend
depends on. What we apply is never changed to suit the emulator; the emulator is made to answer as AWS
does. Each patch first checks that the moto code it wraps still contains what the patch was written
against, so a moto upgrade that fixes or moves that code fails loudly instead of being patched blindly.

Gaps found and fixed
--------------------
1. **S3 lifecycle drops** ``NewerNoncurrentVersions`` **from** ``NoncurrentVersionExpiration``.
   ``FakeBucket.set_lifecycle`` (moto/s3/models.py ~1190) keeps only ``NoncurrentDays`` and
   ``S3Response.get_bucket_lifecycle`` (moto/s3/responses.py ~1306) returns only that. The provider's
   ``aws_s3_bucket_lifecycle_configuration`` re-reads until what it gets equals what it put, so a rule
   with ``newer_noncurrent_versions`` (the state bucket keeps the newest 20 superseded versions) never
   matches and create fails after its 3 minute timeout. Fixed: the value is stored and returned.

2. **Conditional writes are not atomic.** moto supports ``If-None-Match: *`` on ``PutObject`` (what
   ``use_lockfile`` relies on: 412 PreconditionFailed when the key exists, and a delete marker counts as
   absent) and condition expressions on DynamoDB writes (what the ``dynamodb_table`` lock relies on),
   but its handlers check and then write without a lock, one thread per request. On AWS two lock
   attempts never both win; on moto they could if a thread switch fell between check and write. The
   window is microseconds under the GIL (480 racing PutObjects did not hit it): found by reading the
   code, not observed. Fixed: those handlers run under one lock, so the guarantee holds by construction.

3. **Bucket policy conditions are not evaluated.** For object requests moto evaluates the bucket
   policy without any request context, ignores every condition operator except ``StringEquals``
   (treating the condition as met), and answers DENIED for any statement whose condition fails, even an
   Allow. So our TLS-only statements (Deny if ``aws:SecureTransport`` is false / ``s3:TlsVersion`` < 1.2)
   deny *every* object request, and the S3 backend cannot write state at all (403). Fixed for S3 object
   requests: the policy is evaluated with the request's real ``aws:SecureTransport`` (is this request
   HTTPS?) and ``s3:TlsVersion`` (the negotiated TLS version), with IAM's rules: a statement applies
   only if action, resource and every condition match, a missing key fails a condition unless
   ``...IfExists``, negated operators match when no value matches. Operators outside the table are
   still ignored, as moto does. Serve HTTPS (``MotoServer(tls=True)``) to write to a TLS-only bucket;
   over plain HTTP the same policy now denies, as S3 would.

4. **What was written does not read back.** ``GetBucketNotificationConfiguration`` omits
   ``EventBridgeConfiguration`` although moto stores it, and ``EnableKeyRotation`` ignores
   ``RotationPeriodInDays`` while ``GetKeyRotationStatus`` never returns it (AWS returns it, default 365,
   when rotation is on). The provider then plans ``eventbridge false -> true`` and
   ``rotation_period_in_days 0 -> 365`` forever after apply. Fixed: both are stored and returned.

5. **Security group rule descriptions of group-referencing rules are lost on read.**
   ``SecurityGroupRule.description`` (moto/ec2/models/security_groups.py ~95) reads only
   ``ip_range["Description"]``; a rule whose peer is another group keeps its description in
   ``source_group["Description"]``. ``DescribeSecurityGroupRules`` then returns no description, and the
   provider plans ``+ description`` on every ``aws_vpc_security_group_ingress_rule`` that references a group
   (the ALB -> service -> database chain), forever after apply. Fixed: the group pair's description is
   returned when the rule has no IP range.

Not emulator gaps (measured)
----------------------------
* Each ``aws_s3_bucket_lifecycle_configuration`` create takes 55 s, on moto as on AWS: the provider
  (5.100.0, ``waitLifecycleConfigEquals``) waits 10 s, then wants 10 consecutive matching reads 5 s
  apart, 10 + 9 x 5 = 55 s (seen in TF_LOG: GetBucketLifecycleConfiguration at +10 s, then every 5 s).
  The wait is client side; nothing the server answers can shorten it. ``TransitionDefaultMinimumObjectSize``
  plays no part: moto returns ``all_storage_classes_128K``, the default AWS returns and the provider expects.
* ``aws_kms_key`` takes ~12 s: the provider's own propagation waits (5 consecutive reads of the key
  policy and of the rotation status). It runs in parallel with the lifecycle waits.
"""

from __future__ import annotations

import functools
import inspect
import json
import re
import sys
import threading
from collections.abc import Callable
from typing import Any

from moto.dynamodb.responses import DynamoHandler
from moto.ec2.models.security_groups import SecurityGroupRule
from moto.iam.access_control import IAMPolicy, IAMPolicyStatement, PermissionResult
from moto.kms.responses import KmsResponse
from moto.s3.models import FakeBucket
from moto.s3.responses import S3Response

#: One lock for every conditional write: held for the few microseconds a handler needs.
WRITE_LOCK = threading.RLock()


def _expect_source(func: Callable[..., Any], *fragments: str) -> None:
    """Refuse to patch if moto's code no longer contains what the patch was written against."""
    source = inspect.getsource(func)
    missing = [f for f in fragments if f not in source]
    if missing:
        raise RuntimeError(
            f"moto_launcher: {func.__qualname__} changed in this moto version (missing {missing}); "
            "check whether the gap is fixed upstream and update or drop the patch"
        )


# -- 1. NewerNoncurrentVersions in NoncurrentVersionExpiration -------------------------------------
def _patch_lifecycle_newer_noncurrent_versions() -> None:
    _expect_source(FakeBucket.set_lifecycle, 'rule["NoncurrentVersionExpiration"]', "self.rules.append(")
    _expect_source(
        S3Response.get_bucket_lifecycle,
        'r["NoncurrentVersionExpiration"] = {',
        '"NoncurrentDays": rule.nve_noncurrent_days',
    )
    original_set = FakeBucket.set_lifecycle
    original_get = S3Response.get_bucket_lifecycle

    @functools.wraps(original_set)
    def set_lifecycle(self: FakeBucket, rules: list[dict[str, Any]]) -> None:
        original_set(self, rules)
        # set_lifecycle appends exactly one LifecycleRule per input rule, in order.
        for raw, rule in zip(rules, self.rules, strict=True):
            newer = (raw.get("NoncurrentVersionExpiration") or {}).get("NewerNoncurrentVersions")
            rule.nve_newer_versions = int(newer) if newer is not None else None  # type: ignore[attr-defined]

    @functools.wraps(original_get)
    def get_bucket_lifecycle(self: S3Response) -> Any:
        rules = self.backend.get_bucket_lifecycle(self.bucket_name) or []
        serialize = self.serialized  # a fresh S3Response serves each request: no other thread sees this

        def serialized(action_result: Any) -> Any:
            result = action_result.result  # an exception (NoSuchLifecycleConfiguration) is serialized too
            out_rules = result.get("Rules", []) if isinstance(result, dict) else []
            for out, rule in zip(out_rules, rules, strict=False):  # one output rule per stored rule
                newer = getattr(rule, "nve_newer_versions", None)
                if newer is not None and "NoncurrentVersionExpiration" in out:
                    out["NoncurrentVersionExpiration"]["NewerNoncurrentVersions"] = newer
            return serialize(action_result)

        self.serialized = serialized  # type: ignore[method-assign]
        return original_get(self)

    FakeBucket.set_lifecycle = set_lifecycle  # type: ignore[method-assign]
    S3Response.get_bucket_lifecycle = get_bucket_lifecycle  # type: ignore[method-assign]


# -- 2. atomic conditional writes -------------------------------------------------------------------
def _locked(owner: type, name: str, *fragments: str) -> None:
    original = getattr(owner, name)
    _expect_source(original, *fragments)

    @functools.wraps(original)
    def handler(self: Any, *args: Any, **kwargs: Any) -> Any:
        with WRITE_LOCK:
            return original(self, *args, **kwargs)

    setattr(owner, name, handler)


def _patch_atomic_conditional_writes() -> None:
    _locked(S3Response, "put_object", 'if_none_match == "*"')
    _locked(S3Response, "delete_object")
    for name in ("put_item", "delete_item", "update_item", "transact_write_items"):
        _locked(DynamoHandler, name)


# -- 3. bucket policy conditions against the request ------------------------------------------------
class RequestContext(dict[str, str]):
    """Condition keys of the S3 object request being served (only our patched path passes one)."""


_SERVING = threading.local()


def _request_context(request: Any) -> RequestContext:
    environ = getattr(request, "environ", None) or {}
    secure = environ.get("wsgi.url_scheme") == "https"
    context = RequestContext({"aws:SecureTransport": "true" if secure else "false"})
    version = getattr(environ.get("werkzeug.socket"), "version", lambda: None)() if secure else None
    if isinstance(version, str) and version.startswith("TLSv"):
        context["s3:TlsVersion"] = version.removeprefix("TLSv")  # "TLSv1.3" -> "1.3"
    return context


def _like(pattern: str, value: str) -> bool:
    return re.fullmatch(re.escape(pattern).replace(r"\*", ".*").replace(r"\?", "."), value) is not None


def _numeric(test: Callable[[float, float], bool]) -> Callable[[str, str], bool]:
    def compare(expected: str, actual: str) -> bool:
        try:
            return test(float(actual), float(expected))
        except ValueError:
            return False

    return compare


#: Condition operators, each a test of one expected value against the request's value.
_OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda e, a: a == e,
    "StringEqualsIgnoreCase": lambda e, a: a.lower() == e.lower(),
    "StringLike": _like,
    "ArnEquals": lambda e, a: a == e,
    "ArnLike": _like,
    "Bool": lambda e, a: a.lower() == e.lower(),
    "NumericEquals": _numeric(lambda a, e: a == e),
    "NumericLessThan": _numeric(lambda a, e: a < e),
    "NumericLessThanEquals": _numeric(lambda a, e: a <= e),
    "NumericGreaterThan": _numeric(lambda a, e: a > e),
    "NumericGreaterThanEquals": _numeric(lambda a, e: a >= e),
}
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
    "NumericNotEquals": "NumericEquals",
}


def _condition_holds(operator: str, key: str, expected: Any, context: RequestContext) -> bool:
    """IAM semantics: values of one key are ORed; a missing key fails unless ``...IfExists``."""
    values = [str(v) for v in (expected if isinstance(expected, list) else [expected])]
    if operator == "Null":
        return any((key not in context) == (v.lower() == "true") for v in values)
    base = operator.removesuffix("IfExists")
    if key not in context:
        return operator.endswith("IfExists")
    positive = _NEGATED.get(base, base)
    test = _OPERATORS.get(positive)
    if test is None:
        return True  # an operator this table does not know: ignored, as moto itself does
    matched = any(test(v, context[key]) for v in values)
    return not matched if base in _NEGATED else matched


def _statement_result(
    statement: IAMPolicyStatement, action: str, resource: str, context: RequestContext
) -> PermissionResult:
    """A statement applies when action, principal, resource and every condition match; then its Effect
    decides. A statement whose condition does not match is *not applicable* (moto returns DENIED)."""
    s = statement._statement
    if "NotAction" in s:
        concerned = not statement._check_element_matches("NotAction", action)
    else:
        concerned = statement._check_element_matches("Action", action)
    if not concerned or statement.is_unknown_principal(s.get("Principal")):  # moto's principal rule
        return PermissionResult.NEUTRAL
    if "NotResource" in s:
        if statement._check_element_matches("NotResource", resource):
            return PermissionResult.NEUTRAL
    elif s.get("Resource") and not statement._check_element_matches("Resource", resource):
        return PermissionResult.NEUTRAL
    for operator, pairs in (s.get("Condition") or {}).items():
        for key, expected in pairs.items():
            if not _condition_holds(operator, key, expected, context):
                return PermissionResult.NEUTRAL
    return PermissionResult.PERMITTED if s["Effect"] == "Allow" else PermissionResult.DENIED


def _patch_bucket_policy_conditions() -> None:
    _expect_source(S3Response._key_response, "bucket.get_permission(action, resource)")
    _expect_source(FakeBucket.get_permission, "iam_policy.is_action_permitted(action, resource)")
    _expect_source(IAMPolicyStatement.is_action_permitted, "if not self._check_conditions(")
    original_key_response = S3Response._key_response
    original_get_permission = FakeBucket.get_permission
    original_statement = IAMPolicyStatement.is_action_permitted

    @functools.wraps(original_key_response)
    def key_response(self: S3Response, request: Any, full_url: str) -> Any:
        _SERVING.context = _request_context(request)
        try:
            return original_key_response(self, request, full_url)
        finally:
            _SERVING.context = None

    @functools.wraps(original_get_permission)
    def get_permission(self: FakeBucket, action: str, resource: str) -> Any:
        context = getattr(_SERVING, "context", None)
        if self.policy is None or context is None:
            return original_get_permission(self, action, resource)
        return IAMPolicy(self.policy.decode()).is_action_permitted(action, resource, incoming_condition_values=context)

    @functools.wraps(original_statement)
    def is_action_permitted(
        self: IAMPolicyStatement,
        action: str,
        resource: str = "*",
        principal: str | None = None,
        incoming_condition_values: dict[str, str] | None = None,
    ) -> PermissionResult:
        if isinstance(incoming_condition_values, RequestContext):
            return _statement_result(self, action, resource, incoming_condition_values)
        return original_statement(self, action, resource, principal, incoming_condition_values)

    S3Response._key_response = key_response  # type: ignore[method-assign]
    FakeBucket.get_permission = get_permission  # type: ignore[method-assign]
    IAMPolicyStatement.is_action_permitted = is_action_permitted  # type: ignore[method-assign]


# -- 4. what reads back must be what was written: EventBridge notifications, KMS rotation period -----
def _patch_read_back() -> None:
    _expect_source(S3Response.get_bucket_notification, '"LambdaFunctionConfigurations": [')
    _expect_source(KmsResponse.enable_key_rotation, "self.kms_backend.enable_key_rotation(key_id)")
    _expect_source(KmsResponse.get_key_rotation_status, 'json.dumps({"KeyRotationEnabled": rotation_enabled})')
    original_notification = S3Response.get_bucket_notification
    original_enable = KmsResponse.enable_key_rotation
    original_status = KmsResponse.get_key_rotation_status

    @functools.wraps(original_notification)
    def get_bucket_notification(self: S3Response) -> Any:
        config = self.backend.get_bucket_notification_configuration(self.bucket_name)
        serialize = self.serialized

        def serialized(action_result: Any) -> Any:
            result = action_result.result
            if isinstance(result, dict) and config is not None and config.event_bridge is not None:
                result["EventBridgeConfiguration"] = {}
            return serialize(action_result)

        self.serialized = serialized  # type: ignore[method-assign]
        return original_notification(self)

    def _key(self: KmsResponse) -> Any:
        return self.kms_backend.keys[self.kms_backend.get_key_id(self._get_param("KeyId"))]

    @functools.wraps(original_enable)
    def enable_key_rotation(self: KmsResponse) -> str:
        result = original_enable(self)
        _key(self).rotation_period_in_days = int(self._get_param("RotationPeriodInDays") or 365)
        return result

    @functools.wraps(original_status)
    def get_key_rotation_status(self: KmsResponse) -> str:
        status = json.loads(original_status(self))
        if status.get("KeyRotationEnabled"):
            status["RotationPeriodInDays"] = getattr(_key(self), "rotation_period_in_days", 365)
        return json.dumps(status)

    S3Response.get_bucket_notification = get_bucket_notification  # type: ignore[method-assign]
    KmsResponse.enable_key_rotation = enable_key_rotation  # type: ignore[method-assign]
    KmsResponse.get_key_rotation_status = get_key_rotation_status  # type: ignore[method-assign]


def _patch_group_rule_description() -> None:
    original = SecurityGroupRule.description
    assert isinstance(original, property) and original.fget is not None
    _expect_source(original.fget, 'return self.ip_range.get("Description")')

    def description(self: SecurityGroupRule) -> str | None:
        own: str | None = self.ip_range.get("Description")
        if own is None and self.source_group:
            return self.source_group.get("Description")  # type: ignore[no-any-return]
        return own

    SecurityGroupRule.description = property(description)  # type: ignore[method-assign, assignment]


def apply_patches() -> None:
    _patch_group_rule_description()
    _patch_lifecycle_newer_noncurrent_versions()
    _patch_atomic_conditional_writes()
    _patch_bucket_policy_conditions()
    _patch_read_back()


def main(argv: list[str] | None = None) -> None:
    apply_patches()
    from moto.server import main as moto_main

    moto_main(argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    main()
