"""A self-made signing authority standing in for Amazon's (devkit.alexa_signer), its chains
served on loopback, and devkit/serve.py's server started in this process around a handler
that records what reaches it."""

import threading
from datetime import datetime, timedelta, timezone

import pytest
from cryptography import x509

from devkit import alexa_verify, serve
from devkit.alexa_signer import SigningAuthority, envelope

from tests.webservice.common import MEASURED, SKILL_ID, Recorder


@pytest.fixture(scope="session")
def authority():
    """Chains under /echo.api/: good.pem, expired.pem, not-yet-valid.pem, wrong-san.pem,
    and unknown-root.pem (issued by another authority nobody trusts)."""
    now = datetime.now(timezone.utc)
    authority = SigningAuthority()
    authority.issue("good.pem")
    authority.issue("expired.pem", not_before=now - timedelta(days=10), not_after=now - timedelta(days=1))
    authority.issue("not-yet-valid.pem", not_before=now + timedelta(days=1), not_after=now + timedelta(days=10))
    authority.issue("wrong-san.pem", san="echo-api.amazon.com.example.net")
    stranger = SigningAuthority("stranger")
    stranger.issue("unknown-root.pem")
    authority.publish("unknown-root.pem", stranger.chains["unknown-root.pem"], stranger.keys["unknown-root.pem"])
    authority.origin = authority.serve()
    yield authority
    authority.stop()


@pytest.fixture
def verifier(authority):
    """A verifier for SKILL_ID that trusts only the authority's root, with a fresh cache."""
    roots = x509.load_pem_x509_certificates(authority.root_pem)
    cache = alexa_verify.CertificateCache(roots, alexa_verify.fetch_from(authority.origin))
    return alexa_verify.RequestVerifier(SKILL_ID, cache)


@pytest.fixture
def endpoint(verifier):
    """(URL, recorder, verifier): serve.make_server with verification, on a free port."""
    recorder = Recorder()
    server = serve.make_server(recorder, 0, verifier=verifier)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", recorder, verifier
    server.shutdown()
    server.server_close()


@pytest.fixture
def launch():
    """A launch request for SKILL_ID stamped now."""
    return envelope(SKILL_ID)


def pytest_terminal_summary(terminalreporter):
    if MEASURED:
        terminalreporter.section("web service endpoint (measured, not asserted)")
        for line in MEASURED:
            terminalreporter.write_line(line)
