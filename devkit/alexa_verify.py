"""Checking that a request really comes from Alexa, for a skill served as a web service
(devkit/serve.py behind a tunnel). Lambda needs none of this: there Alexa calls the function
through its own trigger. The rules are Amazon's ("Host a custom skill as a web service",
"Verify that the request was sent by Alexa"), done on `cryptography`:

  1. SignatureCertChainUrl: https, host s3.amazonaws.com (any case), port 443 if one is
     given, and a path that still starts with /echo.api/ (case as written) once `.` and
     `..` are resolved. `check_cert_url` is that rule alone, a pure function.
  2. The PEM chain at that URL (signing certificate first): it leads to a trusted root,
     every certificate is within its validity dates now, and the signing certificate names
     echo-api.amazon.com among its subject alternative names. A verified chain is kept by
     URL until the first of its certificates expires, so Alexa's traffic costs one fetch.
  3. Signature-256: base64 of an RSA PKCS #1 v1.5 signature with SHA-256 over the exact
     bytes of the body, checked with the signing certificate's key.
  4. The body's request.timestamp is within 150 seconds of now (either way), and the
     request is for this skill (every application id the envelope carries).

Any failure raises `Rejected` with a short reason that names a rule, never anything from
the request itself, so the caller can log it as it is.
"""

import base64
import binascii
import json
import posixpath
import threading
import time
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import quote, unquote, urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.verification import DNSName, PolicyBuilder, Store, VerificationError

CERT_HOST = "s3.amazonaws.com"
CERT_PATH_PREFIX = "/echo.api/"
SIGNING_NAME = "echo-api.amazon.com"
TIMESTAMP_TOLERANCE = 150          # seconds, Amazon's figure
MAX_BODY = 256 * 1024              # Alexa's envelopes are a few KiB; refuse more unread
MAX_CHAIN = 64 * 1024              # the PEM chain at the URL
FETCH_TIMEOUT = 5                  # seconds, for the chain's download


class Rejected(Exception):
    """The request is not (provably) from Alexa for this skill. `reason` names the rule."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def check_cert_url(url):
    """The normalised https URL to fetch the chain from, or Rejected. Pure."""
    if not url:
        raise Rejected("no SignatureCertChainUrl header")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise Rejected("certificate URL does not parse") from None
    if parts.scheme.lower() != "https":
        raise Rejected("certificate URL is not https")
    if (parts.hostname or "").lower() != CERT_HOST or parts.username or parts.password:
        raise Rejected("certificate URL host is not s3.amazonaws.com")
    if port not in (None, 443):
        raise Rejected("certificate URL port is not 443")
    if parts.query or parts.fragment:
        raise Rejected("certificate URL has a query or fragment")
    path = unquote(parts.path)
    if "\\" in path or path.startswith("//") or "\x00" in path:
        raise Rejected("certificate URL path is not /echo.api/...")
    normalised = posixpath.normpath(path) if path else ""
    if not normalised.startswith(CERT_PATH_PREFIX):
        raise Rejected("certificate URL path is not /echo.api/...")
    return f"https://{CERT_HOST}{quote(normalised)}"


def trusted_roots(path=None):
    """Root certificates from a PEM file; by default certifi's bundle (Mozilla's roots),
    which is what a production endpoint should trust."""
    if path is None:
        import certifi
        path = certifi.where()
    with open(path, "rb") as file:
        data = file.read()
    roots = []
    marker = b"-----BEGIN CERTIFICATE-----"
    for block in data.split(marker)[1:]:  # one by one: a bundle's odd root costs only itself
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # e.g. a legacy root's non-positive serial
                roots.append(x509.load_pem_x509_certificate(marker + block))
        except ValueError:
            continue
    return roots


def fetch_over_https(url):
    """The default fetcher: the chain from S3 over verified TLS (certifi's roots)."""
    import certifi
    import requests
    with requests.get(url, timeout=FETCH_TIMEOUT, verify=certifi.where(), stream=True,
                      allow_redirects=False) as response:
        if response.status_code != 200:
            raise Rejected("certificate chain could not be fetched")
        data = response.raw.read(MAX_CHAIN + 1, decode_content=True)
    return data


def fetch_from(origin):
    """A fetcher that downloads the path of each (already checked) certificate URL from
    `origin` instead of s3.amazonaws.com: for tests and demonstrations with a self-made
    authority served on loopback. Never for real traffic."""
    import requests

    def fetch(url):
        response = requests.get(origin.rstrip("/") + urlsplit(url).path, timeout=FETCH_TIMEOUT)
        if response.status_code != 200:
            raise Rejected("certificate chain could not be fetched")
        return response.content
    return fetch


@dataclass
class _Verified:
    key: rsa.RSAPublicKey
    expires: float     # epoch seconds: the earliest notAfter in the chain


class CertificateCache:
    """Signing keys by certificate URL, each from a chain verified on first use and kept
    until the chain's first expiry. `fetches` counts downloads."""

    def __init__(self, roots, fetch=fetch_over_https):
        self._store = Store(list(roots))
        self._fetch = fetch
        self._entries = {}
        self._locks = {}
        self._lock = threading.Lock()
        self.fetches = 0

    def signing_key(self, url, now):
        entry = self._entries.get(url)
        if entry and now < entry.expires:
            return entry.key
        with self._lock:
            url_lock = self._locks.setdefault(url, threading.Lock())
        with url_lock:  # one download per URL, however many requests wait for it
            entry = self._entries.get(url)
            if entry and now < entry.expires:
                return entry.key
            try:
                pem = self._fetch(url)
            except Rejected:
                raise
            except Exception:
                raise Rejected("certificate chain could not be fetched") from None
            self.fetches += 1
            if len(pem) > MAX_CHAIN:
                raise Rejected("certificate chain is too large")
            entry = self._verify(pem, now)
            self._entries[url] = entry
            return entry.key

    def _verify(self, pem, now):
        try:
            chain = x509.load_pem_x509_certificates(pem)
        except ValueError:
            raise Rejected("certificate chain is not PEM") from None
        signing, intermediates = chain[0], chain[1:]
        moment = datetime.fromtimestamp(now, timezone.utc)
        for cert in chain:
            if moment < cert.not_valid_before_utc:
                raise Rejected("certificate is not valid yet")
            if moment > cert.not_valid_after_utc:
                raise Rejected("certificate has expired")
        try:
            names = signing.extensions.get_extension_for_class(x509.SubjectAlternativeName)
            dns_names = [name.lower() for name in names.value.get_values_for_type(x509.DNSName)]
        except x509.ExtensionNotFound:
            dns_names = []
        if SIGNING_NAME not in dns_names:
            raise Rejected("signing certificate is not for echo-api.amazon.com")
        verifier = (PolicyBuilder().store(self._store).time(moment)
                    .build_server_verifier(DNSName(SIGNING_NAME)))
        try:
            verifier.verify(signing, intermediates)
        except VerificationError:
            raise Rejected("certificate chain does not lead to a trusted root") from None
        key = signing.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise Rejected("signing certificate has no RSA key")
        expires = min(cert.not_valid_after_utc for cert in chain).timestamp()
        return _Verified(key, expires)


class RequestVerifier:
    """All of Alexa's rules for one request. `clock` gives epoch seconds (now)."""

    def __init__(self, skill_id, certificates, clock=time.time, max_body=MAX_BODY):
        if not skill_id:
            raise ValueError("a skill id is needed to verify requests")
        self.skill_id = skill_id
        self.certificates = certificates
        self.clock = clock
        self.max_body = max_body

    def body_length(self, content_length):
        """How many bytes to read, from the Content-Length header; Rejected before any
        byte is read when it is missing or too large."""
        try:
            length = int(content_length)
        except (TypeError, ValueError):
            raise Rejected("no Content-Length header") from None
        if length < 0:
            raise Rejected("no Content-Length header")
        if length > self.max_body:
            raise Rejected("body is too large")
        return length

    def verify(self, headers, body):
        """The request envelope (a dict) when every rule holds; else Rejected.
        `headers` is looked up with .get (case-insensitive, as http.server's are)."""
        now = self.clock()
        url = check_cert_url(headers.get("SignatureCertChainUrl"))
        signature = headers.get("Signature-256")
        if not signature:
            raise Rejected("no Signature-256 header")
        try:
            signature = base64.b64decode(signature.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise Rejected("Signature-256 is not base64") from None
        if len(body) > self.max_body:
            raise Rejected("body is too large")
        key = self.certificates.signing_key(url, now)
        try:
            key.verify(signature, body, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            raise Rejected("signature does not match the body") from None
        try:
            envelope = json.loads(body)
            stamp = envelope["request"]["timestamp"]
            moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                raise ValueError(stamp)
        except (ValueError, KeyError, TypeError, AttributeError):
            raise Rejected("body has no request timestamp") from None
        if abs(now - moment.timestamp()) > TIMESTAMP_TOLERANCE:
            raise Rejected("request timestamp is not within 150 seconds of now")
        if _application_ids(envelope) != {self.skill_id}:
            raise Rejected("request is for another skill")
        return envelope


def _application_ids(envelope):
    ids = set()
    for part in (envelope.get("session"), (envelope.get("context") or {}).get("System")):
        if isinstance(part, dict):
            application = part.get("application")
            if isinstance(application, dict):
                ids.add(application.get("applicationId"))
    return ids
