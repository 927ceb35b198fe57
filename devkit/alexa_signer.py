"""A stand-in for the way Alexa signs the requests it sends to a web service, with a
self-made certificate authority: for the tests of devkit.alexa_verify and devkit.serve, and
to show a running `make serve` a signed request (and a forged one) without Alexa.

    authority = SigningAuthority()             # a root and an intermediate, in memory
    authority.issue("good.pem")                # a signing certificate for echo-api.amazon.com
    origin = authority.serve()                 # its chain on http://127.0.0.1:<port>/echo.api/
    body, headers = authority.sign(envelope, "good.pem")

`authority.root_pem` is what the endpoint must trust instead of the real roots (serve's
--trust-ca), and `origin` is where it fetches chains from (serve's --cert-origin): the
certificate URL in the headers stays https://s3.amazonaws.com/echo.api/<name>, so the URL
rules are checked as for real traffic.

    python -m devkit.alexa_signer URL --skill-id ID [--forge]

is the command-line form: it starts an authority, prints the two serve flags, waits for
Enter, then posts tests/events/launch.json (timestamp now, for skill ID) to URL, signed,
or signed and then changed by one byte with --forge, and prints what came back.
"""

import argparse
import base64
import copy
import json
import sys
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from devkit.serve import answer

CERT_URL = "https://s3.amazonaws.com/echo.api/{}"
EVENTS = Path(__file__).resolve().parents[1] / "tests" / "events"


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Back Spasm Coach tests"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(subject, key, issuer, issuer_key, *, ca, not_before, not_after, san=None):
    builder = (x509.CertificateBuilder()
               .subject_name(subject).issuer_name(issuer.subject if issuer else subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(not_before).not_valid_after(not_after)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(
                   digital_signature=not ca, content_commitment=False, key_encipherment=not ca,
                   data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                   encipher_only=False, decipher_only=False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                              critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                   (issuer_key or key).public_key()), critical=False))
    if not ca:
        builder = (builder
                   .add_extension(x509.SubjectAlternativeName([x509.DNSName(san)]), critical=False)
                   .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH,
                                                         ExtendedKeyUsageOID.CLIENT_AUTH]),
                                  critical=False))
    return builder.sign(issuer_key or key, hashes.SHA256())


def _pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


class SigningAuthority:
    """A root, an intermediate under it, and signing certificates issued by the intermediate,
    each published as a PEM chain (signing certificate, then intermediate) under a name."""

    def __init__(self, label="root"):
        now = datetime.now(timezone.utc)
        self._root_key = _key()
        self.root = _certificate(_name(f"Test {label} CA"), self._root_key, None, None, ca=True,
                                 not_before=now - timedelta(days=1), not_after=now + timedelta(days=30))
        self._intermediate_key = _key()
        self.intermediate = _certificate(
            _name(f"Test {label} intermediate"), self._intermediate_key, self.root, self._root_key,
            ca=True, not_before=now - timedelta(days=1), not_after=now + timedelta(days=30))
        self.chains = {}       # name -> PEM bytes
        self.keys = {}         # name -> the signing key
        self.fetched = {}      # name -> how many times the chain was downloaded
        self._server = None

    @property
    def root_pem(self):
        return _pem(self.root)

    def issue(self, name, san="echo-api.amazon.com", not_before=None, not_after=None):
        """A signing certificate published under `name`; dates default to yesterday and a
        week ahead. Returns the certificate URL Alexa would send."""
        now = datetime.now(timezone.utc)
        key = _key()
        cert = _certificate(_name(san), key, self.intermediate, self._intermediate_key, ca=False,
                            not_before=not_before or now - timedelta(days=1),
                            not_after=not_after or now + timedelta(days=7), san=san)
        self.chains[name] = _pem(cert) + _pem(self.intermediate)
        self.keys[name] = key
        return CERT_URL.format(name)

    def publish(self, name, pem, key):
        """Publish someone else's chain (another authority's) under `name` here."""
        self.chains[name], self.keys[name] = pem, key
        return CERT_URL.format(name)

    def sign(self, envelope, name, body=None):
        """(body bytes, headers) as Alexa would send them; `body` overrides the serialised
        envelope, for signing something other than what is sent."""
        data = body if body is not None else json.dumps(envelope).encode()
        signature = self.keys[name].sign(data, padding.PKCS1v15(), hashes.SHA256())
        return data, {"SignatureCertChainUrl": CERT_URL.format(name),
                      "Signature-256": base64.b64encode(signature).decode(),
                      "Content-Type": "application/json"}

    # --- the chains on loopback, as s3.amazonaws.com/echo.api/ would serve them ------------

    def serve(self):
        """Serve the chains on a free loopback port; returns the origin (http://127.0.0.1:N)."""
        authority = self

        class Chains(BaseHTTPRequestHandler):
            def do_GET(self):
                name = self.path.removeprefix("/echo.api/")
                pem = authority.chains.get(name) if self.path.startswith("/echo.api/") else None
                if pem is None:
                    return answer(self, 404, b"", "text/plain")
                authority.fetched[name] = authority.fetched.get(name, 0) + 1
                answer(self, 200, pem, "application/x-pem-file")

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Chains)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()


def envelope(skill_id, name="launch.json", when=None):
    """A request envelope from tests/events/, for `skill_id`, stamped `when` (default now)."""
    event = copy.deepcopy(json.loads((EVENTS / name).read_text()))
    moment = when or datetime.now(timezone.utc)
    event["request"]["timestamp"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    for part in (event.get("session"), event["context"]["System"]):
        if part and "application" in part:
            part["application"]["applicationId"] = skill_id
    return event


def main(argv=None):
    import requests
    parser = argparse.ArgumentParser(description="Sign a request as Alexa would, with a self-made authority.")
    parser.add_argument("url", help="the skill endpoint, e.g. http://127.0.0.1:8080/")
    parser.add_argument("--skill-id", required=True)
    parser.add_argument("--forge", action="store_true", help="change the body by one byte after signing")
    parser.add_argument("--ca-file", default=".local/test-alexa-ca.pem", help="where to write the root")
    args = parser.parse_args(argv)
    authority = SigningAuthority()
    authority.issue("echo-api-cert.pem")
    origin = authority.serve()
    Path(args.ca_file).parent.mkdir(parents=True, exist_ok=True)
    Path(args.ca_file).write_bytes(authority.root_pem)
    print(f"start the endpoint with: --trust-ca {args.ca_file} --cert-origin {origin}")
    input("then press Enter to send... ")
    for forged in ([False, True] if args.forge else [False]):
        body, headers = authority.sign(envelope(args.skill_id), "echo-api-cert.pem")
        if forged:
            body = body.replace(b'"LaunchRequest"', b'"LaunchRequesT"')
        response = requests.post(args.url, data=body, headers=headers, timeout=30)
        print(f"{'forged' if forged else 'signed'} request -> HTTP {response.status_code}: {response.text[:300]}")
    print(f"chain downloads: {authority.fetched}")
    authority.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
