"""Both blob stores against real storage: a folder, and an S3 server (moto's, on loopback).
The same contract for each, and an upload through the API landing in the bucket."""
from __future__ import annotations

import dataclasses
import hashlib

import boto3
import pytest
from moto.server import ThreadedMotoServer

from engine.blobs import LocalBlobStore, S3BlobStore, blob_store
from engine.errors import NotFound
from tests.factories import files
from tests.factories.api import ApiUser
from tests.factories.directory import make_user

BUCKET = "civicflow-blobs"


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="key",
                 aws_secret_access_key="secret").create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


def s3_objects(endpoint: str) -> list[str]:
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="key",
                          aws_secret_access_key="secret")
    return [o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path, s3_endpoint):
    if request.param == "local":
        return LocalBlobStore(tmp_path / "blobs")
    return S3BlobStore(f"{s3_endpoint.replace('//', '//key:secret@')}/{BUCKET}/test-{tmp_path.name}")


def test_bytes_come_back_under_their_sha256_and_are_stored_once(store):
    data = b"%PDF-1.7 a material"
    sha = store.put(data)
    assert sha == hashlib.sha256(data).hexdigest()
    assert store.put(data) == sha and store.exists(sha) and store.get(sha) == data


def test_a_missing_or_malformed_hash_is_not_found(store):
    missing = hashlib.sha256(b"never stored").hexdigest()
    assert not store.exists(missing) and not store.exists("../../etc/passwd")
    for sha in (missing, "../../etc/passwd", "ABC"):
        with pytest.raises(NotFound):
            store.get(sha)


def test_settings_choose_the_store(tmp_path, container, s3_endpoint):
    assert isinstance(blob_store(container.settings), LocalBlobStore)
    url = f"{s3_endpoint.replace('//', '//key:secret@')}/{BUCKET}"
    assert isinstance(blob_store(dataclasses.replace(container.settings, s3_url=url)), S3BlobStore)
    with pytest.raises(ValueError):
        S3BlobStore("ftp://key:secret@127.0.0.1/bucket")


def test_an_upload_lands_in_the_bucket_and_is_served_from_it(container, s3_endpoint):
    from webapp import create_app

    prefix = f"site-{container.settings.secret_key[:8]}"
    container.settings = dataclasses.replace(
        container.settings, s3_url=f"{s3_endpoint.replace('//', '//key:secret@')}/{BUCKET}/{prefix}")
    client = create_app({"TESTING": True}, container=container).test_client()
    make_user(container, "zhang", "citizen")
    zhang = ApiUser(client, "zhang")
    body = files.upload(zhang, "p.png", files.png()).get_json()
    sha = body["sha256"]
    assert f"{prefix}/{sha[:2]}/{sha}" in s3_objects(s3_endpoint)
    assert not (container.settings.instance_path / "blobs").exists()  # nothing on the web machine's disk
    assert zhang.get(f"/attachments/{body['id']}").data == files.png()

    refused = files.upload(zhang, "evil.jpg", files.exe_named_jpg())
    assert refused.status_code == 400
    assert [k for k in s3_objects(s3_endpoint) if k.startswith(prefix)] == [f"{prefix}/{sha[:2]}/{sha}"]
