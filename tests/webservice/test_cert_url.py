"""The SignatureCertChainUrl rule alone (a pure function): Amazon's own examples of URLs
to accept and to refuse, and the ways around the rule an attacker would try."""

import pytest

from devkit.alexa_verify import Rejected, check_cert_url

GOOD = "https://s3.amazonaws.com/echo.api/echo-api-cert.pem"


@pytest.mark.parametrize("url", [
    GOOD,
    "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
    "HTTPS://S3.AmazonAWS.com/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com/echo.api/./echo-api-cert.pem",
])
def test_urls_in_amazons_format_are_accepted_and_normalised(url):
    assert check_cert_url(url) == GOOD


@pytest.mark.parametrize("url, reason", [
    ("http://s3.amazonaws.com/echo.api/echo-api-cert.pem", "not https"),
    ("ftp://s3.amazonaws.com/echo.api/echo-api-cert.pem", "not https"),
    ("https://notamazon.com/echo.api/echo-api-cert.pem", "host"),
    ("https://s3.amazonaws.com.evil.example/echo.api/echo-api-cert.pem", "host"),
    ("https://evil.example/s3.amazonaws.com/echo.api/echo-api-cert.pem", "host"),
    ("https://s3.amazonaws.com@evil.example/echo.api/echo-api-cert.pem", "host"),
    ("https://user@s3.amazonaws.com/echo.api/echo-api-cert.pem", "host"),
    ("https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem", "port"),
    ("https://s3.amazonaws.com:80/echo.api/echo-api-cert.pem", "port"),
    ("https://s3.amazonaws.com:443x/echo.api/echo-api-cert.pem", "parse"),
    ("https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem", "path"),
    ("https://s3.amazonaws.com/invalid.path/echo-api-cert.pem", "path"),
    ("https://s3.amazonaws.com/echo.api/../invalid.path/echo-api-cert.pem", "path"),
    ("https://s3.amazonaws.com/echo.api/%2e%2e/invalid.path/echo-api-cert.pem", "path"),
    ("https://s3.amazonaws.com/echo.api%2f..%2finvalid.path/echo-api-cert.pem", "path"),
    ("https://s3.amazonaws.com//echo.api/echo-api-cert.pem", "path"),
    ("https://s3.amazonaws.com/echo.api", "path"),
    ("https://s3.amazonaws.com/echo.api/", "path"),
    ("https://s3.amazonaws.com/echo.api/echo-api-cert.pem?x=1", "query"),
    ("", "no SignatureCertChainUrl"),
    (None, "no SignatureCertChainUrl"),
])
def test_urls_breaking_a_rule_are_refused_with_that_rule(url, reason):
    with pytest.raises(Rejected) as refused:
        check_cert_url(url)
    assert reason in refused.value.reason
