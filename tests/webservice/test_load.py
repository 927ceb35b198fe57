"""A bounded load test on loopback: many verified requests from concurrent clients, all
answered, the chain downloaded once. The handler is the recorder (this measures the
endpoint and its verification, not the skill: `make bench` measures the skill). The
latency figures are printed at the end of the run, never asserted."""

import http.client
import json
import os
import statistics
import threading
import time
import uuid
from urllib.parse import urlsplit

from devkit.alexa_signer import envelope
from tests.webservice.common import MEASURED, SKILL_ID

REQUESTS = int(os.environ.get("BSC_LOAD_REQUESTS", "2000"))
CLIENTS = 20


def test_2000_verified_requests_from_20_clients_all_pass_with_one_chain_download(endpoint, authority):
    url, recorder, verifier = endpoint
    authority.issue("load.pem")  # a chain nobody has fetched yet: the clients start on a cold cache
    signed = []
    for _ in range(REQUESTS):
        event = envelope(SKILL_ID)
        event["request"]["requestId"] = f"amzn1.echo-api.request.{uuid.uuid4()}"
        signed.append(authority.sign(event, "load.pem"))
    parts = urlsplit(url)
    latencies, errors, lock = [], [], threading.Lock()
    start = threading.Barrier(CLIENTS)

    def client(share):
        start.wait()
        for body, headers in share:
            began = time.perf_counter()
            try:
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
                connection.request("POST", "/", body, headers)
                response = connection.getresponse()
                answer = json.loads(response.read())
                connection.close()
                ok = response.status == 200 and answer["response"]["outputSpeech"]["text"] == "handled"
            except Exception as error:  # counted, and the test fails on any
                ok, answer = False, repr(error)
            with lock:
                latencies.append(time.perf_counter() - began)
                if not ok:
                    errors.append(answer)

    threads = [threading.Thread(target=client, args=(signed[i::CLIENTS],)) for i in range(CLIENTS)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    elapsed = time.perf_counter() - began

    assert errors == [] and len(recorder.events) == REQUESTS
    assert {e["request"]["requestId"] for e in recorder.events} == {json.loads(b)["request"]["requestId"] for b, _ in signed}
    assert authority.fetched["load.pem"] == 1 and verifier.certificates.fetches == 1
    cuts = statistics.quantiles(latencies, n=100)
    MEASURED.append(f"load: {REQUESTS} verified requests, {CLIENTS} concurrent clients, 0 errors, "
                    f"{REQUESTS / elapsed:.0f} requests/s; latency p50 {cuts[49] * 1000:.1f} ms, "
                    f"p99 {cuts[98] * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms; chain downloads: 1")
