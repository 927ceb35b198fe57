"""The DynamoDB store, through botocore's low-level client.

botocore rather than boto3: `import boto3` also loads s3transfer and builds resource
models, about 100 ms of cold start that a three-call store does not need. The item layout:
partition key `user_key` (string), the user's attributes as top-level attributes,
`expires_at` (number, the table's TTL attribute), `version` (number, counts writes) and
`turns` (list of strings, the request ids of the last writes: storage/adapter.py).

Writes are conditional on the version the turn read (optimistic concurrency): when another
device wrote in between, the write fails with `Conflict` and nothing is changed, and the
turn replays what it did on the record as it is now (alexa/turn.py), which DynamoDB hands
back with the failure (ReturnValuesOnConditionCheckFailure), so that costs no re-read. A
write without a version to expect is still conditional: on its turn's id not being in
`turns` yet, so a retry of a write that was carried out is not carried out again.
"""

import os

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from .. import budget
from .adapter import ANY_VERSION, NO_RECORD, TURNS, Conflict, Stored, StoreUnavailable
from .botocore_loader import session

SERVICE, API_VERSION = "dynamodb", "2012-08-10"
# The only calls the store makes: the IAM policy (template.yaml) allows these, and the
# client's data (botocore_loader.py, cut by devkit/botocore_data.py) models only these.
OPERATIONS = ("GetItem", "UpdateItem", "DeleteItem")

KEY = "user_key"
RESERVED = frozenset({KEY, "expires_at", "version", TURNS})

# Timeouts and retries, from measurements (python -m devkit.io_latency, 2 cores, DynamoDB
# Local on loopback, several runs of 300 to 1,000 calls): GetItem p50 4 ms, p99 14 ms, max
# 20 ms; conditional UpdateItem p50 6 ms, p99 20 ms, max 74 to 166 ms (JVM pauses); the
# first call of a new client 110 to 120 ms, nearly all of it botocore's own set-up before
# any socket (no timeout covers that part). In AWS, DynamoDB answers a one-item read or
# write in single-digit milliseconds inside the region.
#
# read_timeout 0.3 s: about twice the slowest answer seen, 15 x the p99. It bounds the
#   silence while waiting for an answer (urllib3 applies it to each socket read, and an
#   answer this small arrives in one piece), so a hung store costs 0.3 s, not 8; an
#   attempt that does hit it is simply retried.
# connect_timeout 0.2 s: a loopback or in-region TCP connect takes a millisecond, and
#   urllib3 applies this timeout to the TLS handshake too (a few ms). A dropped SYN is
#   resent by the kernel only after 1 s: 1% of 300 back-to-back connects to DynamoDB Local
#   took 1.02 s for that reason, so a timeout near 1 s would just wait for the resend;
#   0.2 s and a fresh attempt recover sooner. (DNS lookups are not covered by it.)
# 2 attempts: one retry rescues the transient failures DynamoDB documents (500s,
#   throttling, a reset connection); through devkit.fault_proxy each of those fails both
#   attempts in 55 to 60 ms. A third attempt would add another 0.5 s to the worst case.
# mode "legacy": its DynamoDB back-off waits a fixed 50 ms before the retry (botocore's
#   _retry.json: base 0.05, growth 2). "standard" waits up to 1 s of random jitter after
#   a throttle (measured 0.4 to 0.8 s per throttled call), and newer botocore honours an
#   x-amz-retry-after header for up to 5 s more: too much of a 3 s turn.
# Worst case of one operation: 2 x (0.2 + 0.3) + 0.05 = 1.05 s (STORE_OP_WORST_S;
# measured through the proxy: 0.66 s slow, 0.45 s connect hanging). A turn reads and
# writes at most once each (plus a re-write when another device wrote in between), within
# the turn's I/O budget (spasm_coach/budget.py).
# Environment: BSC_STORE_CONNECT_TIMEOUT_S, BSC_STORE_READ_TIMEOUT_S replace the two
# timeouts (for tests; production sets neither, and spasm_coach/budget.py says what else
# must then change). The attempts and the back-off stay as they are.
CLIENT_CONFIG = Config(
    connect_timeout=0.2,
    read_timeout=0.3,
    retries={"total_max_attempts": 2, "mode": "legacy"},
)
RETRY_BACKOFF_S = 0.05  # legacy mode's first DynamoDB back-off (tests/test_budget.py reads botocore's)


def client_config(environ=None):
    """CLIENT_CONFIG, with the timeouts the environment sets."""
    return CLIENT_CONFIG.merge(Config(
        connect_timeout=budget.seconds("BSC_STORE_CONNECT_TIMEOUT_S", CLIENT_CONFIG.connect_timeout, environ),
        read_timeout=budget.seconds("BSC_STORE_READ_TIMEOUT_S", CLIENT_CONFIG.read_timeout, environ)))


def worst_case_s(config=CLIENT_CONFIG, backoff_s=RETRY_BACKOFF_S):
    """How long one store operation can take before it gives up: every attempt waits its
    full connect and read timeouts, with the back-off between attempts."""
    attempts = config.retries["total_max_attempts"]
    return attempts * (config.connect_timeout + config.read_timeout) + (attempts - 1) * backoff_s


STORE_OP_WORST_S = worst_case_s()


class DynamoDbStore:
    worst_case_s = STORE_OP_WORST_S

    def __init__(self, table_name, endpoint_url=None, client=None):
        self.table = table_name
        config = client_config()
        self.worst_case_s = worst_case_s(config)
        self.client = client or session().create_client(
            SERVICE,
            api_version=API_VERSION,  # saves botocore a search for the newest model
            region_name=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
            endpoint_url=endpoint_url,
            config=config,
        )

    def load(self, key):
        """The user's record (a `Stored`); NO_RECORD when there is none."""
        return stored(self._call("get_item", Key={KEY: {"S": key}}, ConsistentRead=True).get("Item"))

    def update(self, key, changed, removed, expires_at, expected_version=ANY_VERSION, turn_id=None, turns=None):
        """Set `changed`, remove `removed`, push the expiry and count the write, in one
        atomic UpdateItem; the new version. With `expected_version` (None: no record yet)
        the write happens only if the record is still at that version, else `Conflict`.
        `turns` replaces the record's list of recent writers; without it, `turn_id` is
        added to the list, and the write only happens if it is not there yet."""
        names, values, sets = {"#exp": "expires_at", "#ver": "version"}, {}, []
        for index, (name, value) in enumerate(sorted(changed.items())):
            _check_name(name)
            names[f"#s{index}"], values[f":s{index}"] = name, encode(value)
            sets.append(f"#s{index} = :s{index}")
        values.update({":exp": encode(expires_at), ":zero": encode(0), ":one": encode(1)})
        sets += ["#exp = :exp", "#ver = if_not_exists(#ver, :zero) + :one"]
        if turns is not None:
            names["#turns"], values[":turns"] = TURNS, encode(list(turns))
            sets.append("#turns = :turns")
        elif turn_id is not None:
            names["#turns"], values[":me"], values[":none"] = TURNS, encode([turn_id]), encode([])
            sets.append("#turns = list_append(if_not_exists(#turns, :none), :me)")
        expression = "SET " + ", ".join(sets)
        if removed:
            for index, name in enumerate(sorted(removed)):
                _check_name(name)
                names[f"#r{index}"] = name
            expression += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(removed)))
        condition = _version_condition(expected_version, names, values)
        if not condition and turn_id is not None:
            values[":turn"] = encode(turn_id)
            condition = {"ConditionExpression": "attribute_not_exists(#turns) OR NOT contains(#turns, :turn)"}
        answer = self._call("update_item", Key={KEY: {"S": key}}, UpdateExpression=expression,
                            ExpressionAttributeNames=names, ExpressionAttributeValues=values,
                            ReturnValues="UPDATED_NEW", **condition)
        return int(decode(answer["Attributes"]["version"]))

    def delete(self, key, expected_version=ANY_VERSION):
        """Delete the record; with `expected_version`, only if it is still at that version
        (else `Conflict`). Deleting a record that is not there is not an error."""
        names, values = {}, {}
        condition = _version_condition(expected_version, names, values)
        extra = {"ExpressionAttributeNames": names} if names else {}
        if values:
            extra["ExpressionAttributeValues"] = values
        self._call("delete_item", Key={KEY: {"S": key}}, **condition, **extra)

    def _call(self, operation, **params):
        if not budget.allows_store_op(self.worst_case_s):
            raise StoreUnavailable(f"dynamodb {operation}: no time left in this turn")
        if "ConditionExpression" in params:  # a failed condition hands back the item as it is
            params["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        try:
            return getattr(self.client, operation)(TableName=self.table, **params)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise Conflict(f"dynamodb {operation}: the record changed", stored(error.response.get("Item"))) from None
            raise StoreUnavailable(f"dynamodb {operation}: {type(error).__name__}") from error
        except BotoCoreError as error:
            raise StoreUnavailable(f"dynamodb {operation}: {type(error).__name__}") from error


def stored(item):
    """A DynamoDB item (None: there is none) as a `Stored` record."""
    if not item:
        return NO_RECORD
    data = {name: decode(value) for name, value in item.items() if name not in RESERVED}
    expires, version, turns = item.get("expires_at"), item.get("version"), item.get(TURNS)
    return Stored(data, int(decode(expires)) if expires else None, int(decode(version)) if version else None,
                  tuple(t for t in decode(turns) if isinstance(t, str)) if turns and "L" in turns else ())


def _version_condition(expected_version, names, values):
    """The ConditionExpression argument for a write that expects `expected_version`
    (adding what it needs to `names` and `values`)."""
    if expected_version is ANY_VERSION:
        return {}
    names["#ver"] = "version"
    if expected_version is None:
        return {"ConditionExpression": "attribute_not_exists(#ver)"}
    values[":expected"] = encode(expected_version)
    return {"ConditionExpression": "#ver = :expected"}


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
