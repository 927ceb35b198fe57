"""Measure what the skill's I/O costs here, healthy and under each fault: the figures
behind the timeouts and retries in lambda/spasm_coach/storage/dynamodb.py (CLIENT_CONFIG)
and lambda/spasm_coach/alexa/services.py (API_TIMEOUT), and the turn's budget in
lambda/spasm_coach/budget.py.

    python -m devkit.io_latency [--calls 300]

Healthy: DynamoDB Local (on loopback) through the store's own client and configuration,
the first call of a fresh client (a cold container's first read) and then GetItem and
UpdateItem in a loop; the local HTTPS Alexa API stand-in through the skill's own
TimedApiClient, a new connection (TCP and TLS) each call and then over keep-alive.
Faults: one store read and one Settings API call through devkit.fault_proxy in each of
its modes: how long until the call gives up, and how many attempts reached the proxy.

Loopback has no network in it, so the healthy figures are a floor: they show what the
software costs (botocore, the JVM, TLS), not what a network adds.
"""

import argparse
import os
import socket
import statistics
import tempfile
import time
import uuid

import devkit  # noqa: F401  (puts lambda/ on the import path)
from devkit.alexa_apis import LocalAlexaApis
from devkit.dynamodb_local import FAKE_AWS, DynamoDbLocal
from devkit.fault_proxy import FaultProxy


def summary(seconds):
    ms = sorted(s * 1000 for s in seconds)
    pick = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]  # noqa: E731
    return (f"n={len(ms)} p50 {statistics.median(ms):.1f} ms, p90 {pick(0.9):.1f}, "
            f"p99 {pick(0.99):.1f}, max {ms[-1]:.1f}")


def timed(work):
    start = time.perf_counter()
    try:
        result = work()
        status = getattr(result, "status_code", None)
        outcome = f"HTTP {status}" if status else "ok"
    except Exception as error:  # noqa: BLE001 (we report whatever it was)
        cause = error.__cause__ or error.__context__
        outcome = type(error).__name__ + (f" ({type(cause).__name__})" if cause else "")
    return time.perf_counter() - start, outcome


def count_retries(store):
    """A list that collects (attempt, what failed) each time botocore retries a call."""
    retried = []

    def note(attempts, caught_exception=None, response=None, **_):
        error = (response[1].get("Error", {}).get("Code") if response and response[1] else None)
        if caught_exception is not None or error:
            retried.append((attempts, type(caught_exception).__name__ if caught_exception else error))
    store.client.meta.events.register("needs-retry.dynamodb", note)
    return retried


def measure_store(db, calls, table):
    from spasm_coach.storage import Conflict
    from spasm_coach.storage.dynamodb import DynamoDbStore
    key = uuid.uuid4().hex
    cold, _ = timed(lambda: DynamoDbStore(table, endpoint_url=db.endpoint).load(key))
    store = DynamoDbStore(table, endpoint_url=db.endpoint)
    retried = count_retries(store)
    store.load(key)
    reads = [timed(lambda: store.load(key))[0] for _ in range(calls)]
    version, writes, conflicts = None, [], 0
    for n in range(calls):
        start = time.perf_counter()
        try:
            version = store.update(key, {"n": n}, [], 2000000000, expected_version=version)
        except Conflict:  # a retried attempt whose first try had been applied after all
            conflicts += 1
            version = store.load(key)[2]
        writes.append(time.perf_counter() - start)
    connects = []
    for _ in range(calls):
        start = time.perf_counter()
        socket.create_connection(("127.0.0.1", db.port)).close()
        connects.append(time.perf_counter() - start)
    print("DynamoDB Local, the store's client and CLIENT_CONFIG:")
    print(f"  first call of a new client   {cold * 1000:.1f} ms")
    print(f"  GetItem                      {summary(reads)}")
    print(f"  UpdateItem (conditional)     {summary(writes)}")
    print(f"  retries botocore needed      {len(retried)} {retried[:5]}; writes that met their own retry: {conflicts}")
    print(f"  TCP connect                  {summary(connects)}")


def measure_apis(apis, calls):
    from spasm_coach.alexa.services import TimedApiClient
    from ask_sdk_model.services import ApiClientRequest
    url = apis.endpoint + "/v2/devices/amzn1.ask.device.X/settings/System.timeZone"
    request = ApiClientRequest(url=url, method="GET", headers=[("Authorization", "Bearer x")])
    fresh = []
    for _ in range(calls):
        start = time.perf_counter()
        TimedApiClient().invoke(request)
        fresh.append(time.perf_counter() - start)
    client = TimedApiClient()
    client.invoke(request)
    pooled = [timed(lambda: client.invoke(request))[0] for _ in range(calls)]
    print("Alexa API stand-in (HTTPS), the skill's TimedApiClient:")
    print(f"  new connection (TCP+TLS)     {summary(fresh)}")
    print(f"  keep-alive                   {summary(pooled)}")


def measure_faults(db, apis, table):
    from ask_sdk_model.services import ApiClientRequest
    from spasm_coach.alexa.services import TimedApiClient
    from spasm_coach.storage.dynamodb import DynamoDbStore
    print("Under faults (devkit.fault_proxy), one call each: seconds until it gives up, attempts seen")
    with FaultProxy(("127.0.0.1", db.port), delay=10).start() as proxy:
        for mode in proxy.modes:
            proxy.set_mode(mode)
            proxy.seen.clear()
            store = DynamoDbStore(table, endpoint_url=proxy.endpoint)
            seconds, outcome = timed(lambda: store.load("nobody"))
            print(f"  store read  {mode:11} {seconds:6.3f} s  attempts {sum(proxy.seen.values())}  {outcome}")
    with FaultProxy.for_alexa_apis(apis, delay=10).start() as proxy:
        url = proxy.endpoint + "/v2/devices/amzn1.ask.device.X/settings/System.timeZone"
        request = ApiClientRequest(url=url, method="GET", headers=[])
        for mode in proxy.modes:
            proxy.set_mode(mode)
            proxy.seen.clear()
            seconds, outcome = timed(lambda: TimedApiClient().invoke(request))
            print(f"  API call    {mode:11} {seconds:6.3f} s  attempts {sum(proxy.seen.values())}  {outcome}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args(argv)
    os.environ.update(FAKE_AWS)
    from tests.template import table_definition
    apis = LocalAlexaApis()
    apis.start(tempfile.mkdtemp(prefix="bsc-apis-"))
    apis.trust()
    try:
        with DynamoDbLocal() as db:
            table = f"latency-{uuid.uuid4().hex[:8]}"
            db.create_table(table, table_definition())
            measure_store(db, args.calls, table)
            measure_apis(apis, args.calls)
            measure_faults(db, apis, table)
    finally:
        apis.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
