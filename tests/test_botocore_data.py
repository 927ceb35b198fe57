"""The DynamoDB client the store makes from the package's cut of botocore's data
(devkit/botocore_data.py, spasm_coach/storage/botocore_loader.py) sends what a client made
from botocore's full data sends: the same URL, signing region and service, target and
body, in the commercial, China and GovCloud partitions, with FIPS and dual-stack endpoints
and an account-based endpoint; it reads nothing from botocore's own data folder; and
when its data does not fit the installed botocore, the store falls back to botocore's
default loader with one log line."""

import json
import logging
import os
import sys

import botocore
import botocore.session
import pytest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.loaders import Loader

from devkit import botocore_data
from spasm_coach.storage import botocore_loader
from spasm_coach.storage.dynamodb import API_VERSION, CLIENT_CONFIG, OPERATIONS, SERVICE, DynamoDbStore

CASES = [
    ("us-east-1", {}),
    ("eu-west-1", {}),
    ("ap-southeast-2", {}),
    ("cn-north-1", {}),
    ("cn-northwest-1", {}),
    ("us-gov-west-1", {}),
    ("us-east-1", {"use_fips_endpoint": True}),
    ("ca-central-1", {"use_fips_endpoint": True}),
    ("us-gov-west-1", {"use_fips_endpoint": True}),
    ("us-east-1", {"use_dualstack_endpoint": True}),
    ("eu-central-1", {"account": "123456789012"}),
    ("us-west-2", {"account": "123456789012", "account_id_endpoint_mode": "disabled"}),
]
CALLS = {
    "GetItem": ("get_item", {"Key": {"user_key": {"S": "k"}}, "ConsistentRead": True}),
    "UpdateItem": ("update_item", {"Key": {"user_key": {"S": "k"}}, "UpdateExpression": "SET #a = :a",
                                   "ExpressionAttributeNames": {"#a": "a"},
                                   "ExpressionAttributeValues": {":a": {"N": "1"}},
                                   "ConditionExpression": "attribute_not_exists(#a)", "ReturnValues": "UPDATED_NEW"}),
    "DeleteItem": ("delete_item", {"Key": {"user_key": {"S": "k"}}}),
}
MATTERS = ("X-Amz-Target", "Content-Type", "Content-Length", "User-Agent", "X-Amz-Security-Token")


class Sent(Exception):
    pass


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("botocore-data") / "botocore_data"
    botocore_data.generate(folder)
    return folder


def client(loader, region, options):
    options = dict(options)
    account = options.pop("account", None)
    session = botocore.session.get_session()
    if loader is not None:
        session.register_component("data_loader", loader)
    credentials = Credentials("AKIDEXAMPLE", "secret", "token", account_id=account)
    session._credentials = credentials
    config = CLIENT_CONFIG.merge(Config(**options)) if options else CLIENT_CONFIG
    return session.create_client(SERVICE, api_version=API_VERSION, region_name=region, config=config)


def sent(made, operation):
    """What the client would put on the wire for `operation` (stopped before the socket)."""
    captured = []

    def capture(request, **_):
        captured.append(request)
        raise Sent()
    made.meta.events.register_first("before-send.dynamodb", capture)
    method, params = CALLS[operation]
    try:
        with pytest.raises(Sent):
            getattr(made, method)(TableName="bsc-table", **params)
    finally:
        made.meta.events.unregister("before-send.dynamodb", capture)
    (request,) = captured
    authorization = request.headers["Authorization"].decode() if isinstance(
        request.headers["Authorization"], bytes) else request.headers["Authorization"]
    credential = authorization.split("Credential=")[1].split(",")[0]
    signed = authorization.split("SignedHeaders=")[1].split(",")[0]
    return {
        "url": request.url,
        "method": request.method,
        "scope": credential.split("/", 2)[2],  # drop the key id and date: region/service/aws4_request
        "signed_headers": signed,
        "headers": {name: request.headers.get(name) for name in MATTERS},
        "body": request.body,
    }


@pytest.mark.parametrize("region,options", CASES, ids=[f"{r}-{'-'.join(o) or 'plain'}" for r, o in CASES])
def test_the_cut_data_makes_the_same_requests_as_botocores_full_data(data, region, options):
    restricted = client(botocore_loader.RestrictedLoader(data), region, options)
    default = client(None, region, options)
    assert restricted.meta.endpoint_url == default.meta.endpoint_url
    assert restricted.meta.region_name == default.meta.region_name
    for operation in OPERATIONS:
        ours, theirs = sent(restricted, operation), sent(default, operation)
        assert ours == theirs, operation
        assert ours["scope"] == f"{region}/dynamodb/aws4_request"


def test_the_china_and_govcloud_requests_go_to_their_partitions(data):
    china = client(botocore_loader.RestrictedLoader(data), "cn-north-1", {})
    assert sent(china, "GetItem")["url"] == "https://dynamodb.cn-north-1.amazonaws.com.cn/"
    # GovCloud's regular DynamoDB endpoint is its FIPS endpoint: the rule set sends FIPS there
    fips = client(botocore_loader.RestrictedLoader(data), "us-gov-west-1", {"use_fips_endpoint": True})
    assert sent(fips, "GetItem")["url"] == "https://dynamodb.us-gov-west-1.amazonaws.com/"
    account = client(botocore_loader.RestrictedLoader(data), "eu-central-1", {"account": "123456789012"})
    assert sent(account, "GetItem")["url"] == "https://123456789012.ddb.eu-central-1.amazonaws.com/"


def test_the_restricted_client_reads_nothing_from_botocores_data_folder(data):
    builtin = Loader.BUILTIN_DATA_PATH
    opened = []
    watching = [True]

    def audit(event, args):
        if watching[0] and event == "open" and isinstance(args[0], str):
            opened.append(args[0])
    sys.addaudithook(audit)
    try:
        made = client(botocore_loader.RestrictedLoader(data), "eu-west-1", {})
        sent(made, "GetItem")
    finally:
        watching[0] = False
    assert not [path for path in opened if path.startswith(builtin)]
    assert any(path.startswith(str(data)) for path in opened)


def test_the_cut_model_holds_only_the_stores_operations_and_no_documentation(data):
    model = json.loads((data / SERVICE / API_VERSION / "service-2.json").read_text())
    assert set(OPERATIONS) <= set(model["operations"]) <= set(OPERATIONS) | {"DescribeEndpoints"}
    assert "documentation" not in json.dumps(model)
    endpoints = json.loads((data / "endpoints.json").read_text())
    assert all(set(p["services"]) <= {SERVICE} for p in endpoints["partitions"])
    assert sum(f.stat().st_size for f in data.rglob("*") if f.is_file()) < 200_000


def test_data_cut_from_another_botocore_falls_back_to_the_default_loader_with_one_line(
        tmp_path, monkeypatch, caplog):
    stale = tmp_path / "stale"
    botocore_data.generate(stale)
    source = json.loads((stale / botocore_loader.SOURCE_FILE).read_text())
    (stale / botocore_loader.SOURCE_FILE).write_text(json.dumps({**source, "botocore": "1.0.0"}))
    monkeypatch.setattr(botocore_loader, "DATA_DIR", str(stale))
    monkeypatch.setattr(botocore_loader, "_fallback_logged", [])
    caplog.set_level(logging.INFO, logger="spasm_coach")
    stores = [DynamoDbStore("t", endpoint_url="http://127.0.0.1:9") for _ in range(3)]
    assert all(store.client.meta.endpoint_url == "http://127.0.0.1:9" for store in stores)
    assert Loader.BUILTIN_DATA_PATH in botocore_loader.session().get_component("data_loader").search_paths
    lines = [json.loads(r.getMessage()) for r in caplog.records if "botocore_data" in r.getMessage()]
    assert [{k: line[k] for k in ("event", "outcome", "reason")} for line in lines] == [
        {"event": "botocore_data", "outcome": "default_loader", "reason": "version"}]


def test_matching_data_is_used_and_logs_nothing(data, monkeypatch, caplog):
    monkeypatch.setattr(botocore_loader, "_fallback_logged", [])
    caplog.set_level(logging.INFO, logger="spasm_coach")
    session = botocore_loader.session(str(data))
    assert session.get_component("data_loader").search_paths == [os.path.abspath(data)]
    assert not [r for r in caplog.records if "botocore_data" in r.getMessage()]


def test_missing_data_falls_back_too(tmp_path, monkeypatch):
    monkeypatch.setattr(botocore_loader, "_fallback_logged", [])
    loader, reason = botocore_loader.restricted_loader(tmp_path / "nothing")
    assert loader is None and reason == "missing"
    assert botocore.__version__  # the installed botocore is what the data is compared with
