"""Start moto's server with the fixes our Terraform tests need: ``python tests/moto_launcher.py -H HOST -p PORT``.

Every patch here closes a gap between moto 5.2.5 and real AWS that the AWS provider or Terraform's S3
backend depends on. What we apply is never changed to suit the emulator; the emulator is made to answer
like AWS does. Each patch checks that the moto code it replaces still looks the way it did when the
patch was written, so a moto upgrade that fixes (or moves) the code fails loudly instead of silently
patching the wrong thing.

Gaps found and fixed
--------------------
1. **S3 lifecycle drops** ``NewerNoncurrentVersions`` **from** ``NoncurrentVersionExpiration``.
   ``FakeBucket.set_lifecycle`` (moto/s3/models.py, ~line 1190) keeps only ``NoncurrentDays`` and
   ``S3Response.get_bucket_lifecycle`` (moto/s3/responses.py, ~line 1306) returns only that. The
   provider's ``aws_s3_bucket_lifecycle_configuration`` compares what it put with what it gets back
   until they match, so a rule with ``newer_noncurrent_versions`` (our state bucket keeps the newest
   20 superseded versions) never matches and create fails after its 3 minute timeout. The patch
   stores the value with the rule and returns it, as S3 does.

2. **Conditional writes are not atomic.** moto does support ``If-None-Match: *`` on ``PutObject``
   (what ``use_lockfile`` relies on: 412 PreconditionFailed when the key exists) and condition
   expressions on DynamoDB writes (what the ``dynamodb_table`` lock relies on), but its handlers
   check and then write without a lock while the server runs one thread per request. On AWS two
   lock attempts can never both win; on moto they could if a thread switch lands between check and
   write. The window is microseconds under the GIL (480 racing PutObjects did not hit it), so this is
   found by reading the code, not observed; the patch runs those handlers under one lock so the
   guarantee holds by construction rather than by timing (tests/test_state_backend_moto.py races
   both lock primitives and expects exactly one winner).

Not an emulator gap (measured): every ``aws_s3_bucket_lifecycle_configuration`` create takes ~55 s
on moto, as on AWS. The provider (5.100.0) waits 10 s, then needs 10 consecutive matching reads
5 s apart (``waitLifecycleConfigEquals``: ``Delay: 10s``, ``ContinuousTargetOccurence: 10``,
``PollInterval: 5s``) = 10 + 9 x 5 = 55 s. The wait is client side; nothing the server answers can
shorten it. ``TransitionDefaultMinimumObjectSize`` is not involved: moto returns
``all_storage_classes_128K``, the same default AWS returns and the provider expects.
"""

from __future__ import annotations

import functools
import inspect
import sys
import threading
from collections.abc import Callable
from typing import Any

from moto.dynamodb.responses import DynamoHandler
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
    _expect_source(S3Response.get_bucket_lifecycle, 'r["NoncurrentVersionExpiration"] = {',
                   '"NoncurrentDays": rule.nve_noncurrent_days')
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
            for out, rule in zip(action_result.result["Rules"], rules, strict=True):
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


def apply_patches() -> None:
    _patch_lifecycle_newer_noncurrent_versions()
    _patch_atomic_conditional_writes()


def main(argv: list[str] | None = None) -> None:
    apply_patches()
    from moto.server import main as moto_main

    moto_main(argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    main()
