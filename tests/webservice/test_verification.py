"""devkit/serve.py with verification on: a request signed as Alexa signs passes and is
handled; a request that breaks any one rule gets HTTP 400, never reaches the handler, and
leaves exactly one log line that names the rule and nothing from the request."""

import http.client
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest

from devkit.alexa_signer import envelope
from devkit.alexa_verify import MAX_BODY, Rejected
from tests.conftest import ROOT
from tests.webservice.common import SKILL_ID

USER = "amzn1.ask.account.EXAMPLE-USER"


def post(url, body, headers, send_body=True):
    """(status, JSON answer) for one POST; without `send_body` only the headers go out
    (with Content-Length saying how much would follow)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.putrequest("POST", "/")
        for name, value in {**headers, "Content-Length": str(len(body))}.items():
            connection.putheader(name, value)
        connection.endheaders(body if send_body else None)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        connection.close()


def test_a_request_signed_as_alexa_signs_it_is_handled_as_sent(endpoint, authority, launch):
    url, recorder, verifier = endpoint
    body, headers = authority.sign(launch, "good.pem")
    status, answer = post(url, body, headers)
    assert status == 200 and answer["response"]["outputSpeech"]["text"] == "handled"
    assert recorder.events == [launch]


def test_a_timestamp_within_150_seconds_either_way_passes(endpoint, authority):
    url, recorder, _ = endpoint
    now = datetime.now(timezone.utc)
    for offset in (-140, 140):
        body, headers = authority.sign(envelope(SKILL_ID, when=now + timedelta(seconds=offset)), "good.pem")
        assert post(url, body, headers)[0] == 200
    assert len(recorder.events) == 2


@dataclass
class Broken:
    """One rule broken, everything else as Alexa sends it."""
    reason: str                      # what the log line must name
    chain: str = "good.pem"          # which published chain signs
    url: object = None               # changes the certificate URL
    body: object = None              # changes the body after signing
    signed: object = None            # changes what is signed (the body sent stays)
    shift: int = 0                   # moves the timestamp, seconds
    skill_id: str = SKILL_ID
    drop: str = None                 # a header left out
    rename: tuple = None             # (header, sent under this name instead)
    set: dict = None                 # headers sent with these values

    def request(self, authority):
        event = envelope(self.skill_id, when=datetime.now(timezone.utc) + timedelta(seconds=self.shift))
        sent = json.dumps(event).encode()
        _, headers = authority.sign(self.signed(event) if self.signed else event, self.chain)
        if self.url:
            headers["SignatureCertChainUrl"] = self.url(headers["SignatureCertChainUrl"])
        if self.drop:
            del headers[self.drop]
        if self.rename:
            headers[self.rename[1]] = headers.pop(self.rename[0])
        headers.update(self.set or {})
        return (self.body(sent) if self.body else sent), headers


def _one_byte_changed(body):
    changed = body.replace(b'"en-US"', b'"en-UK"', 1)
    assert changed != body and len(changed) == len(body)
    return changed


BROKEN = {
    "wrong host": Broken("host", url=lambda u: u.replace("s3.amazonaws.com", "s3.evil.example")),
    "http": Broken("not https", url=lambda u: u.replace("https:", "http:")),
    "port 8443": Broken("port", url=lambda u: u.replace(".com/", ".com:8443/")),
    "bad path": Broken("path", url=lambda u: u.replace("/echo.api/", "/echo.apx/")),
    "'..' in the path": Broken("path", url=lambda u: u.replace("/echo.api/", "/echo.api/../")),
    "no chain at the URL": Broken("could not be fetched", url=lambda u: u.replace("good", "missing")),
    "expired certificate": Broken("expired", chain="expired.pem"),
    "certificate not valid yet": Broken("not valid yet", chain="not-yet-valid.pem"),
    "wrong SAN": Broken("not for echo-api.amazon.com", chain="wrong-san.pem"),
    "chain to an unknown root": Broken("trusted root", chain="unknown-root.pem"),
    "body changed by one byte": Broken("signature does not match", body=_one_byte_changed),
    "signature of another body": Broken("signature does not match", signed=lambda e: dict(
        e, request={**e["request"], "type": "SessionEndedRequest"})),
    "signature not base64": Broken("not base64", set={"Signature-256": "not base64!"}),
    "old timestamp": Broken("150 seconds", shift=-160),
    "future timestamp": Broken("150 seconds", shift=160),
    "another skill id": Broken("another skill", skill_id="amzn1.ask.skill.99999999-other"),
    "no SignatureCertChainUrl": Broken("no SignatureCertChainUrl", drop="SignatureCertChainUrl"),
    "no Signature-256": Broken("no Signature-256", drop="Signature-256"),
    "only the old SHA-1 Signature header": Broken("no Signature-256", rename=("Signature-256", "Signature")),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_a_request_breaking_one_rule_is_refused_unhandled_with_one_log_line(name, endpoint, authority, caplog):
    url, recorder, _ = endpoint
    body, headers = BROKEN[name].request(authority)
    with caplog.at_level(logging.INFO):
        status, answer = post(url, body, headers)
    assert status == 400 and answer == {"error": "request not verified"}
    assert recorder.events == []
    lines = [r.getMessage() for r in caplog.records if r.name == "devkit.serve"]
    assert len(lines) == 1 and BROKEN[name].reason in lines[0], lines
    assert USER not in lines[0] and "amzn1.echo-api.request" not in lines[0]


def test_an_oversized_body_is_refused_before_it_is_read(endpoint, authority, caplog):
    url, recorder, _ = endpoint
    event = envelope(SKILL_ID)
    event["session"]["attributes"] = {"padding": "x" * MAX_BODY}
    body, headers = authority.sign(event, "good.pem")
    status, _ = post(url, body, headers, send_body=False)  # the answer comes before the body
    assert status == 400 and recorder.events == []
    assert [r.getMessage() for r in caplog.records if r.name == "devkit.serve"] == [
        "refused a request (HTTP 400): body is too large"]


def test_the_verifier_alone_refuses_an_oversized_body_too(verifier, authority):
    event = envelope(SKILL_ID)
    event["session"]["attributes"] = {"padding": "x" * MAX_BODY}
    body, headers = authority.sign(event, "good.pem")
    with pytest.raises(Rejected, match="too large"):
        verifier.verify(headers, body)


def test_a_chain_is_fetched_once_and_kept_until_it_expires(verifier, authority):
    url = authority.issue("cached.pem", not_after=datetime.now(timezone.utc) + timedelta(hours=1))
    for _ in range(3):
        verifier.verify(*reversed(authority.sign(envelope(SKILL_ID), "cached.pem")))
    assert authority.fetched["cached.pem"] == 1 and verifier.certificates.fetches == 1
    # an hour and a minute later the chain has expired: fetched again, and now refused
    later = verifier.clock() + 3660
    verifier.clock = lambda: later
    body, headers = authority.sign(envelope(SKILL_ID, when=datetime.fromtimestamp(later, timezone.utc)), "cached.pem")
    with pytest.raises(Rejected, match="expired"):
        verifier.verify(headers, body)
    assert authority.fetched["cached.pem"] == 2 and url.endswith("/echo.api/cached.pem")


def test_real_traffic_trusts_certifis_roots_and_not_a_self_made_one(authority):
    from devkit.alexa_verify import CertificateCache, RequestVerifier, fetch_from, trusted_roots
    roots = trusted_roots()
    assert len(roots) > 50
    production = RequestVerifier(SKILL_ID, CertificateCache(roots, fetch_from(authority.origin)))
    body, headers = authority.sign(envelope(SKILL_ID), "good.pem")
    with pytest.raises(Rejected, match="trusted root"):
        production.verify(headers, body)


AMAZON_CHAIN = ROOT / "tests" / "webservice" / "data" / "amazon-echo-api-chain-2026.pem"


def test_amazons_own_signing_chain_is_accepted_with_certifis_roots():
    """Amazon's echo-api.amazon.com chain of 2026 (a public certificate, as S3 serves it at
    /echo.api/: signing certificate, Amazon RSA 2048 M01, Amazon Root CA 1 cross-signed by
    Starfield), checked at a moment of its validity: the rules a real request meets."""
    from devkit.alexa_verify import CertificateCache, trusted_roots
    pem = AMAZON_CHAIN.read_bytes()
    moment = datetime(2026, 10, 1, tzinfo=timezone.utc).timestamp()
    cache = CertificateCache(trusted_roots(), fetch=lambda url: pem)
    key = cache.signing_key("https://s3.amazonaws.com/echo.api/echo-api-cert-12.pem", moment)
    assert key.key_size == 2048
    for outside in (datetime(2026, 7, 1, tzinfo=timezone.utc), datetime(2027, 3, 1, tzinfo=timezone.utc)):
        with pytest.raises(Rejected, match="not valid yet|expired"):
            CertificateCache(trusted_roots(), fetch=lambda url: pem).signing_key("u", outside.timestamp())


def test_the_endpoint_speaks_https_itself_when_given_a_certificate(verifier, authority, tmp_path):
    """--tls-cert/--tls-key: for a host with its own certificate instead of a tunnel."""
    import ssl
    import threading

    import trustme

    from devkit import serve
    from tests.webservice.common import Recorder
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    recorder = Recorder()
    server = serve.make_server(recorder, 0, verifier=verifier, tls=context)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = ssl.create_default_context()
        ca.configure_trust(client)
        connection = http.client.HTTPSConnection("127.0.0.1", server.server_address[1], context=client, timeout=30)
        body, headers = authority.sign(envelope(SKILL_ID), "good.pem")
        connection.request("POST", "/", body, headers)
        assert connection.getresponse().status == 200 and len(recorder.events) == 1
        connection.close()
    finally:
        server.shutdown()
        server.server_close()
