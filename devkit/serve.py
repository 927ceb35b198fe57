"""A tiny HTTP wrapper around the Lambda handler, for tools that speak to a skill over HTTP
(the end-to-end tests drive it with virtual-alexa). Not the product's run path: Alexa
calls lambda/app.py's `handler` through Lambda, never this.

    python -m devkit.serve [--port 0] [--time-zone America/Chicago]

POST /          a request envelope in, the handler's response envelope out (JSON)

It also starts devkit.alexa_apis, the local HTTPS stand-in for Alexa's Settings and
Reminders APIs (device time zone --time-zone, reminders permission granted), so envelopes
whose apiEndpoint points there never reach the real Alexa API.

The first line printed is "listening on http://127.0.0.1:<port> apis https://127.0.0.1:<port>".
The handler is imported exactly as Lambda imports it, with this process's environment
(TABLE_NAME and so on).
"""

import argparse
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import tempfile

import devkit  # noqa: F401  (puts lambda/ on the import path)
from devkit.alexa_apis import LocalAlexaApis


def make_server(handler, port=0):
    class Endpoint(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            try:
                event = json.loads(self.rfile.read(length) or b"null")
            except ValueError:
                return self._send(400, {"error": "body is not JSON"})
            self._send(200, handler(event, None))

        def _send(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):  # the skill logs for itself; keep stderr quiet
            pass

    return ThreadingHTTPServer(("127.0.0.1", port), Endpoint)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--time-zone", default="America/New_York",
                        help="what the Settings API stand-in answers")
    args = parser.parse_args(argv)
    apis = LocalAlexaApis(zone=args.time_zone, granted=True)
    apis_endpoint = apis.start(tempfile.mkdtemp(prefix="bsc-apis-"))
    apis.trust()
    import app
    server = make_server(app.handler, args.port)
    print(f"listening on http://127.0.0.1:{server.server_address[1]} apis {apis_endpoint}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        apis.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
