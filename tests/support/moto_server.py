"""moto in server mode on 127.0.0.1 for the tests that apply Terraform: one server per pytest worker."""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


#: moto's server with the emulator fixes our tests need (see its docstring for each gap).
MOTO_LAUNCHER = Path(__file__).resolve().with_name("moto_launcher.py")


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1/localhost that is its own CA (``AWS_CA_BUNDLE`` trusts it), and its key."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "moto on 127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "moto-cert.pem", directory / "moto-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


class MotoServer:
    """moto in server mode on 127.0.0.1, in its own process, speaking the real AWS wire protocols.

    Started through tests/support/moto_launcher.py, which closes the moto gaps Terraform trips over (see its
    docstring) before serving. ``tls=True`` serves HTTPS with a throw-away certificate that every
    client here trusts (``AWS_CA_BUNDLE``, ``custom_ca_bundle``, boto3 ``verify``): needed wherever a
    bucket policy denies non-TLS requests, which moto (patched) now enforces as S3 does.
    """

    def __init__(self, account_id: str, log_path: Path | None = None, *, tls: bool = False) -> None:
        self.port = _free_port()
        self.account_id = account_id
        self._own_log = log_path is None
        if log_path is None:
            fd, name = tempfile.mkstemp(prefix=f"moto-{self.port}-", suffix=".log")
            os.close(fd)
            log_path = Path(name)
        self.log_path = log_path
        self.ca_bundle: Path | None = None
        args = ["-H", "127.0.0.1", "-p", str(self.port)]
        handlers: list[urllib.request.BaseHandler] = [urllib.request.ProxyHandler({})]  # never via a proxy
        self._tls_dir = log_path.parent / f"moto-tls-{self.port}"
        if tls:
            cert, key = self_signed_certificate(self._tls_dir)
            self.ca_bundle = cert
            args += ["-c", str(cert), "-k", str(key)]
            handlers.append(urllib.request.HTTPSHandler(context=ssl.create_default_context(cafile=str(cert))))
        self._http = urllib.request.build_opener(*handlers)
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "MOTO_ACCOUNT_ID": account_id,
            # AWS-managed policies (AmazonRDSEnhancedMonitoringRole, AWSXRayDaemonWriteAccess...) exist on AWS
            "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        }
        # The server logs every request. A pipe nobody reads fills up after ~64 KiB and then blocks
        # the server mid-apply, so the log goes to a file (shown when the server fails to start).
        with log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, str(MOTO_LAUNCHER), *args],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self._http.open(f"{self.url}/moto-api/data.json", timeout=1).read()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"moto exited:\n{self.log_tail()}") from None
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto server did not start within 30 s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def reset(self) -> None:
        req = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        self._http.open(req, timeout=10).read()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        if self._own_log:  # scratch files in the system temp dir; a caller's log_path folder is theirs
            self.log_path.unlink(missing_ok=True)
            shutil.rmtree(self._tls_dir, ignore_errors=True)

    # What Terraform and boto3 need to talk to this server and nothing else. -------------------------
    def env(self) -> dict[str, str]:
        env = {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "",
            "AWS_REGION": "ap-northeast-2",
            "AWS_DEFAULT_REGION": "ap-northeast-2",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ENDPOINT_URL": self.url,
            "AWS_PROFILE": "",
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            # Everything talks to 127.0.0.1 directly, whatever proxy the machine configures.
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }
        if self.ca_bundle:
            env["AWS_CA_BUNDLE"] = str(self.ca_bundle)
        return env

    SERVICES = (
        "s3",
        "dynamodb",
        "kms",
        "sts",
        "iam",
        "ec2",
        "ecs",
        "elbv2",
        "logs",
        "secretsmanager",
        "sns",
        "events",
        "cloudwatch",
        "lambda",
        "cloudtrail",
        "rds",
        "sqs",
        "athena",
        "glue",
        "acm",
        "wafv2",
        "servicediscovery",
        "applicationautoscaling",
        "route53",
        "ssm",
        "ecr",
    )

    def provider_override(self) -> str:
        """A Terraform override file (``*_override.tf.json``) pointing the aws provider at moto."""
        aws: dict[str, object] = {
            "endpoints": [{svc: self.url for svc in self.SERVICES}],
            "s3_use_path_style": True,
            "skip_credentials_validation": True,
            "skip_metadata_api_check": True,
            "skip_region_validation": True,
            "access_key": "testing",
            "secret_key": "testing",
        }
        if self.ca_bundle:
            aws["custom_ca_bundle"] = str(self.ca_bundle)
        return json.dumps({"provider": {"aws": aws}}, indent=2)

    def backend_config(self) -> str:
        """Partial backend configuration (``-backend-config=FILE``) for the S3 backend on moto."""
        text = (
            f'endpoints = {{ s3 = "{self.url}", dynamodb = "{self.url}", sts = "{self.url}", '
            f'iam = "{self.url}" }}\n'
            "use_path_style = true\nskip_credentials_validation = true\nskip_metadata_api_check = true\n"
            'skip_region_validation = true\naccess_key = "testing"\nsecret_key = "testing"\n'
        )
        if self.ca_bundle:
            text += f"custom_ca_bundle = {json.dumps(str(self.ca_bundle))}\n"
        return text

    def boto3(self, service: str):  # type: ignore[no-untyped-def]
        import boto3

        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name="ap-northeast-2",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            verify=str(self.ca_bundle) if self.ca_bundle else None,
        )
