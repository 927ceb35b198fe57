"""The DynamoDB store, through botocore's low-level client.

botocore rather than boto3: `import boto3` also loads s3transfer and builds resource
models, about 100 ms of cold start that a three-call store does not need. The item layout:
partition key `user_key` (string), the user's attributes as top-level attributes,
`expires_at` (number, the table's TTL attribute) and `version` (number, counts writes).
"""

import os

import botocore.session
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from .adapter import StoreUnavailable

KEY = "user_key"
RESERVED = frozenset({KEY, "expires_at", "version"})

# Alexa waits 8 seconds for the whole turn. A healthy DynamoDB call takes a few
# milliseconds, so one second to connect and one to read is generous, and two attempts
# (one retry) keep a dead store from eating more than about 4 seconds of that.
CLIENT_CONFIG = Config(
    connect_timeout=1,
    read_timeout=1,
    retries={"total_max_attempts": 2, "mode": "standard"},
)


class DynamoDbStore:
    def __init__(self, table_name, endpoint_url=None, client=None):
        self.table = table_name
        self.client = client or botocore.session.get_session().create_client(
            "dynamodb",
            api_version="2012-08-10",  # saves botocore a search for the newest model
            region_name=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
            endpoint_url=endpoint_url,
            config=CLIENT_CONFIG,
        )

    def load(self, key):
        """(attributes, expires_at) of the user's record; ({}, None) when there is none."""
        item = self._call("get_item", Key={KEY: {"S": key}}, ConsistentRead=True).get("Item") or {}
        data = {name: decode(value) for name, value in item.items() if name not in RESERVED}
        expires = item.get("expires_at")
        return data, int(decode(expires)) if expires else None

    def update(self, key, changed, removed, expires_at):
        """Set `changed`, remove `removed` and push the expiry, in one atomic UpdateItem."""
        names, values, sets = {"#exp": "expires_at", "#ver": "version"}, {}, []
        for index, (name, value) in enumerate(sorted(changed.items())):
            _check_name(name)
            names[f"#s{index}"], values[f":s{index}"] = name, encode(value)
            sets.append(f"#s{index} = :s{index}")
        values.update({":exp": encode(expires_at), ":zero": encode(0), ":one": encode(1)})
        sets += ["#exp = :exp", "#ver = if_not_exists(#ver, :zero) + :one"]
        expression = "SET " + ", ".join(sets)
        if removed:
            for index, name in enumerate(sorted(removed)):
                _check_name(name)
                names[f"#r{index}"] = name
            expression += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(removed)))
        self._call("update_item", Key={KEY: {"S": key}}, UpdateExpression=expression,
                   ExpressionAttributeNames=names, ExpressionAttributeValues=values)

    def delete(self, key):
        self._call("delete_item", Key={KEY: {"S": key}})

    def _call(self, operation, **params):
        try:
            return getattr(self.client, operation)(TableName=self.table, **params)
        except (BotoCoreError, ClientError) as error:
            raise StoreUnavailable(f"dynamodb {operation}: {type(error).__name__}") from error


def _check_name(name):
    if name in RESERVED:
        raise ValueError(f"{name!r} is reserved by the store")


def encode(value):
    """A Python value as a DynamoDB attribute value (ints, strings, bools, None, lists, dicts)."""
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if isinstance(value, str):
        return {"S": value}
    if value is None:
        return {"NULL": True}
    if isinstance(value, (list, tuple)):
        return {"L": [encode(item) for item in value]}
    if isinstance(value, dict):
        return {"M": {str(k): encode(v) for k, v in value.items()}}
    raise TypeError(f"cannot store {type(value).__name__} (keep times as int epoch seconds)")


def decode(attribute):
    """The inverse of encode."""
    (kind, value), = attribute.items()
    if kind == "N":
        return int(value) if value.lstrip("-").isdigit() else float(value)
    if kind == "L":
        return [decode(item) for item in value]
    if kind == "M":
        return {k: decode(v) for k, v in value.items()}
    if kind == "NULL":
        return None
    return value
