"""The production set-up, tried on this machine: a real S3-compatible server (moto in
server mode) on 127.0.0.1, and `scripts/serve`."""

import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

REGION = "us-east-1"
# moto takes any key pair; these name nobody.
ACCESS_KEY = "minsheng-test"
SECRET_KEY = "minsheng-test-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Bucket:
    """A bucket on the local S3 server, and a client to look into it."""

    name: str
    endpoint_url: str
    client: Any

    def keys(self) -> list[str]:
        listed = self.client.list_objects_v2(Bucket=self.name)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def read(self, key: str) -> bytes:
        return bytes(self.client.get_object(Bucket=self.name, Key=key)["Body"].read())


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """An S3-compatible server over real HTTP on 127.0.0.1 (one per test process)."""
    server_module = pytest.importorskip("moto.server", reason="moto[server] is not installed")
    port = free_port()
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_bucket(s3_server, settings, tmp_path) -> Bucket:
    """Every stored file of this test goes to a fresh bucket, configured as production
    configures it (FILE_STORAGE=s3); MEDIA_ROOT points at an empty folder to prove that
    nothing lands on local disk."""
    import boto3

    name = f"minsheng-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    client.create_bucket(Bucket=name)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILE_STORAGE = "s3"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": name,
                "endpoint_url": s3_server,
                "region_name": REGION,
                "access_key": ACCESS_KEY,
                "secret_key": SECRET_KEY,
                "querystring_auth": True,
                "querystring_expire": 300,
                "file_overwrite": False,
            },
        },
    }
    return Bucket(name=name, endpoint_url=s3_server, client=client)
