"""The skill as a web service: lambda/app.py's `handler` behind HTTP(S), in two modes.

    make serve SKILL_ID=amzn1.ask.skill.…      (python -m devkit.serve --skill-id …)

For Alexa itself, behind a tunnel (README, "Test from your machine"): every request is
verified as Amazon requires of a web service (devkit.alexa_verify: the certificate URL,
the chain to a trusted root, its dates and echo-api.amazon.com, Signature-256 over the
exact body, the timestamp within 150 s, the skill id). A request that fails any rule gets
HTTP 400 and reaches nothing: the handler never sees it, so nothing is stored; the log gets
one line naming the rule, nothing from the request. The skill's calls to the Alexa APIs go
to the apiEndpoint Alexa sends. Plain HTTP on --host/--port (127.0.0.1:8080) for the
tunnel to reach, or HTTPS itself with --tls-cert/--tls-key.

    python -m devkit.serve --local [--port 0] [--time-zone America/Chicago]

For local tools that play Alexa (the end-to-end tests drive it with virtual-alexa): no
verification, and devkit.alexa_apis, the local HTTPS stand-in for Alexa's Settings and
Reminders APIs (device time zone --time-zone, reminders permission granted), starts beside
it so envelopes whose apiEndpoint points there never reach the real Alexa API. The first
line printed is "listening on http://127.0.0.1:<port> apis https://127.0.0.1:<port>".

Either way POST (any path) takes a request envelope and answers the handler's response
envelope (JSON). The handler is imported exactly as Lambda imports it, with this process's
environment (TABLE_NAME, SKILL_ID and so on; without TABLE_NAME the local sqlite store).
Not the product's run path: deployed, Alexa calls the handler through Lambda.

--trust-ca FILE and --cert-origin URL are for tests and demonstrations only: trust that
root instead of certifi's, and fetch the (still checked) certificate URLs' paths from that
origin instead of s3.amazonaws.com (devkit.alexa_signer makes both).
"""

import argparse
import json
import logging
import os
import ssl
import sys
import tempfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import devkit  # noqa: F401  (puts lambda/ on the import path)
from devkit import alexa_verify

log = logging.getLogger("devkit.serve")

SETUP = """\
make serve: {what}.

  make serve SKILL_ID=amzn1.ask.skill.…    the id from the developer console (Build >
                                           Endpoint, "Your Skill ID"); requests for any
                                           other skill are refused
Then put a tunnel in front of it and give its https address to the console (README,
"Test from your machine").
"""


def answer(request, status, data, content_type="application/json"):
    """Send `data` (bytes) as the whole answer to `request` (a BaseHTTPRequestHandler)."""
    request.send_response(status)
    request.send_header("Content-Type", content_type)
    request.send_header("Content-Length", str(len(data)))
    request.end_headers()
    request.wfile.write(data)


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # socketserver's 5 resets connections when clients arrive together


def make_server(handler, port=0, host="127.0.0.1", verifier=None, tls=None):
    """A threading HTTP server calling `handler(event, None)`. With `verifier` (an
    alexa_verify.RequestVerifier) a request is handled only once it passes every rule;
    with `tls` (an ssl.SSLContext) it speaks HTTPS."""

    class Endpoint(BaseHTTPRequestHandler):
        def do_POST(self):
            if verifier is None:
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    event = json.loads(self.rfile.read(length) or b"null")
                except ValueError:
                    return self._send(400, {"error": "body is not JSON"})
            else:
                try:
                    length = verifier.body_length(self.headers.get("Content-Length"))
                    event = verifier.verify(self.headers, self.rfile.read(length))
                except alexa_verify.Rejected as refused:
                    log.warning("refused a request (HTTP 400): %s", refused.reason)
                    self.close_connection = True
                    return self._send(400, {"error": "request not verified"})
            self._send(200, handler(event, None))

        def _send(self, status, body):
            answer(self, status, json.dumps(body).encode())

        def log_message(self, *args):  # the skill logs for itself; keep stderr quiet
            pass

    server = _Server((host, port), Endpoint)
    if tls is not None:
        # the handshake in the request's thread, not in accept(): a slow client blocks no one
        server.socket = tls.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    return server


def verifier_from(args):
    roots = alexa_verify.trusted_roots(args.trust_ca)
    fetch = alexa_verify.fetch_from(args.cert_origin) if args.cert_origin else alexa_verify.fetch_over_https
    return alexa_verify.RequestVerifier(args.skill_id, alexa_verify.CertificateCache(roots, fetch))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--local", action="store_true",
                        help="for local tools playing Alexa: no verification, local Alexa API stand-ins")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=None, help="0 picks a free port (default 8080; --local 0)")
    parser.add_argument("--skill-id", default=os.environ.get("SKILL_ID") or None,
                        help="the only skill whose requests are accepted (default $SKILL_ID)")
    parser.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM, chain included)")
    parser.add_argument("--tls-key", help="the certificate's private key (PEM)")
    parser.add_argument("--time-zone", default="America/New_York",
                        help="--local: what the Settings API stand-in answers")
    parser.add_argument("--trust-ca", help="tests only: trust this root instead of certifi's")
    parser.add_argument("--cert-origin", help="tests only: fetch certificate chains from this origin")
    args = parser.parse_args(argv)

    apis = verifier = tls = None
    if args.local:
        from devkit.alexa_apis import LocalAlexaApis
        apis = LocalAlexaApis(zone=args.time_zone, granted=True)
        apis_endpoint = apis.start(tempfile.mkdtemp(prefix="bsc-apis-"))
        apis.trust()
    else:
        if not args.skill_id:
            print(SETUP.format(what="no skill id given, so nothing was started"), file=sys.stderr)
            return 2
        # the refusals, and the skill's own log lines (which carry no user data), on stderr
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        os.environ["SKILL_ID"] = args.skill_id  # the handler checks it too
        verifier = verifier_from(args)
    if args.tls_cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.tls_cert, args.tls_key)
    port = args.port if args.port is not None else (0 if args.local else 8080)
    import app
    server = make_server(app.handler, port, args.host, verifier, tls)
    url = f"{'https' if tls else 'http'}://{args.host}:{server.server_address[1]}"
    if apis:
        print(f"listening on {url} apis {apis_endpoint}", flush=True)
    else:
        print(f"listening on {url} verifying Alexa's requests for {args.skill_id}"
              f"{' (test flags: not for Alexa traffic)' if args.trust_ca or args.cert_origin else ''}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if apis:
            apis.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
