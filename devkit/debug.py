"""`make debug SKILL_ID=… [REGION=NA]`: the ASK SDK's local debugger (ask-sdk-local-debug)
around lambda/app.py's handler. While it runs, Alexa sends the skill's development-stage
requests (the developer console's Test tab, or a device signed in to the developer
account) over a websocket to this machine instead of to the skill's endpoint, and the
handler's answers go back the same way. No tunnel, no deploy, no AWS account.

  1. Without a skill id or ASK CLI credentials (devkit.ask_credentials) it stops at once
     and says what to set up.
  2. REGION is the Alexa region the requests come from, which the debugger connects to:
     NA (North America, the default: en-US), EU (Europe and India), FE (Far East). It must
     be the region of the endpoint that serves your test traffic; with the wrong one the
     session opens and nothing ever arrives.
  3. The handler is loaded from lambda/app.py as Lambda loads it, with SKILL_ID set and
     this environment (without TABLE_NAME the local sqlite store in .local/).
  4. The debugger logs every request and response in full (user ids, words said); those
     log lines are silenced here, so what it prints is one line per turn, without them.

Known pitfalls: a debug session lasts an hour, then the connection closes (run it again);
the access token must carry the alexa::ask:skills:debug scope, which `ask configure` of
ASK CLI 2.13 or later grants (an older profile needs `ask configure` again); only the
development stage is routed, and only while the session is connected; an exception in the
handler reaches the console as an error, not as speech.

--debug-endpoint (tests only) connects to another websocket URL than Amazon's.
"""

import argparse
import logging
import os
import sys
from pathlib import Path

import devkit  # noqa: F401  (puts lambda/ on the import path)
from devkit import ask_credentials

APP = Path(__file__).resolve().parents[1] / "lambda" / "app.py"
REGIONS = ("NA", "EU", "FE")
EXTRA_SETUP = """\
  4. Your region: make debug REGION=NA (North America, default), EU (Europe and India) or
     FE (Far East), where the skill's test requests are served.
"""
# the debugger's loggers that write whole requests and responses
CHATTY = ("ask_sdk_local_debug.client.autobahn_client_protocol",)


def client(skill_id, token, region, endpoint=None):
    """The local debugger's websocket client, ready to invoke(), for lambda/app.py's handler."""
    from ask_sdk_local_debug.client.autobahn_client import AutobahnClient
    from ask_sdk_local_debug.config.websocket_config import WebSocketConfiguration
    from ask_sdk_local_debug.util.parser import argument_parser
    from ask_sdk_local_debug.util.websocket_util import (
        create_skill_invoker_config, create_web_socket_configuration,
    )
    parsed = argument_parser(["--accessToken", token, "--skillId", skill_id, "--skillFilePath", str(APP),
                              "--skillHandler", "handler", "--region", region])
    websocket = create_web_socket_configuration(parsed)
    if endpoint:
        websocket = WebSocketConfiguration(endpoint, websocket.headers)
    return AutobahnClient(websocket, create_skill_invoker_config(parsed))


class _Turns(logging.Handler):
    """One line per request and per answer, never their content."""

    def emit(self, record):
        message = record.getMessage()
        if message.startswith("Skill request"):
            print("  a request came in", flush=True)
        elif message.startswith("Skill response"):
            print("  answered", flush=True)
        elif record.levelno >= logging.ERROR:
            print("  the handler failed: the console shows the error", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Route the skill's development-stage requests to this machine.")
    parser.add_argument("--skill-id", default=os.environ.get("SKILL_ID") or None)
    parser.add_argument("--region", default="NA", type=str.upper, choices=REGIONS)
    parser.add_argument("--debug-endpoint", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    credentials = ask_credentials.required("debug", args.skill_id, EXTRA_SETUP)
    if credentials is None:
        return 2

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for name in CHATTY:
        chatty = logging.getLogger(name)
        chatty.propagate = False
        chatty.addHandler(_Turns())
    os.environ["SKILL_ID"] = args.skill_id
    debugger = client(args.skill_id, credentials.access_token, args.region, args.debug_endpoint)
    print(f"local debugging for {args.skill_id}, region {args.region} (credentials: {credentials.source}): "
          "the developer console's Test tab (Development) now reaches this machine for up to an hour. "
          "Ctrl-C stops.", flush=True)
    try:
        debugger.invoke()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
