"""The ASK CLI's credentials, for `make debug`, `make live-test` and `make nlu-profile`:
they act as the developer, in the developer account `ask configure` signed in to. In this
order (the ASK CLI's own variable names):

  ASK_ACCESS_TOKEN      an LWA access token (the variable the ASK CLI itself reads; for CI)
  ASK_REFRESH_TOKEN     an LWA refresh token, with ASK_LWA_CLIENT_ID and
                        ASK_LWA_CLIENT_CONFIRMATION (the client id and secret of the LWA
                        security profile it was issued to): exchanged for an access token
                        at Login with Amazon ($ASK_LWA_TOKEN_HOST, default api.amazon.com)
  ~/.ask/cli_config     what `ask configure` saved, profile $ASK_DEFAULT_PROFILE or default

Only the refresh-token exchange sends anything; the others are read locally.

An access token lives an hour. When the saved one has expired and the ASK CLI is on PATH,
one cheap `ask smapi get-skill-status` call makes the CLI refresh it and save the new one
(the refresh needs the CLI's own sign-in client, which stays the CLI's); without the CLI
the developer is told to refresh it.
"""

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

SETUP = """\
make {target}: {what}, so nothing was sent to Alexa.

Set up once (README, "Test in the Alexa developer console"):
  1. An Amazon developer account (free, developer.amazon.com) and the skill in the Alexa
     developer console with its interaction model built (steps 2 to 4 there); its id,
     amzn1.ask.skill.…, is SKILL_ID. In its Test tab set "Skill testing is enabled in"
     to Development.
  2. The ASK CLI (Node.js 18+):   npm install -g ask-cli
  3. Sign it in to that developer account:   ask configure
     (a browser opens; `ask configure --no-browser` on a machine without one). It saves
     the credentials in ~/.ask/cli_config; export ASK_DEFAULT_PROFILE=<name> for another
     profile than default. For CI instead: export ASK_ACCESS_TOKEN=<an LWA access token>.
{extra}Then: make {target} SKILL_ID=amzn1.ask.skill.…
"""

REFRESH_MARGIN = 60  # seconds: a token that expires sooner than this counts as expired
LWA_TOKEN_HOST = "https://api.amazon.com"
LWA_TOKEN_PATH = "/auth/o2/token"


class SetupNeeded(Exception):
    """What is missing, as a sentence."""


@dataclass
class Credentials:
    access_token: str
    source: str          # where it came from, for messages (never the token itself)


def config_path():
    return Path.home() / ".ask" / "cli_config"


def profile_name():
    return os.environ.get("ASK_DEFAULT_PROFILE") or "default"


def setup_text(target, what, extra=""):
    return SETUP.format(target=target, what=what, extra=extra)


def required(target, skill_id, extra=""):
    """Credentials for `make <target>`, or None after printing what to set up (stderr)."""
    try:
        if not skill_id:
            raise SetupNeeded("no skill id given")
        return find(skill_id)
    except SetupNeeded as missing:
        print(setup_text(target, str(missing), extra), file=sys.stderr)
        return None


def find(skill_id, now=None):
    """Credentials, or SetupNeeded. `skill_id` is what a refresh through the ASK CLI asks
    about."""
    token = os.environ.get("ASK_ACCESS_TOKEN")
    if token:
        return Credentials(token, "ASK_ACCESS_TOKEN")
    if os.environ.get("ASK_REFRESH_TOKEN"):
        return _exchanged(os.environ["ASK_REFRESH_TOKEN"])
    found = _saved(now)
    if isinstance(found, Credentials):
        return found
    ask = shutil.which("ask")
    if found == "expired" and ask:
        subprocess.run([ask, "smapi", "get-skill-status", "--skill-id", skill_id, "--profile", profile_name()],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=60, check=False)
        found = _saved(now)
        if isinstance(found, Credentials):
            return found
    if found == "expired":
        raise SetupNeeded(f"the ASK CLI's access token (profile {profile_name()}) has expired"
                          + ("" if ask else "; run any `ask smapi` command to refresh it, e.g. "
                             "`ask smapi get-skill-status -s <SKILL_ID>`"))
    raise SetupNeeded(found)


def _saved(now):
    """Credentials from ~/.ask/cli_config, "expired", or a sentence saying what is missing."""
    path = config_path()
    try:
        config = json.loads(path.read_text())
    except FileNotFoundError:
        return "no ASK CLI credentials (no ~/.ask/cli_config: `ask configure` has not been run)"
    except (OSError, ValueError):
        return "~/.ask/cli_config could not be read"
    profile = (config.get("profiles") or {}).get(profile_name())
    token = (profile or {}).get("token") or {}
    if not token.get("access_token"):
        return f"no ASK CLI credentials for profile {profile_name()} in ~/.ask/cli_config"
    try:
        expires = datetime.fromisoformat(str(token.get("expires_at")).replace("Z", "+00:00")).timestamp()
    except ValueError:
        expires = 0
    if expires - REFRESH_MARGIN <= (time.time() if now is None else now):
        return "expired"
    return Credentials(token["access_token"], f"profile {profile_name()}")


def _exchanged(refresh_token):
    """An access token from Login with Amazon for the refresh token in the environment."""
    client_id = os.environ.get("ASK_LWA_CLIENT_ID")
    secret = os.environ.get("ASK_LWA_CLIENT_CONFIRMATION")
    if not (client_id and secret):
        raise SetupNeeded("ASK_REFRESH_TOKEN is set but ASK_LWA_CLIENT_ID and ASK_LWA_CLIENT_CONFIRMATION "
                          "(the LWA security profile it was issued to) are not")
    url = (os.environ.get("ASK_LWA_TOKEN_HOST") or LWA_TOKEN_HOST).rstrip("/") + LWA_TOKEN_PATH
    form = urllib.parse.urlencode({"grant_type": "refresh_token", "refresh_token": refresh_token,
                                   "client_id": client_id, "client_secret": secret}).encode()
    request = urllib.request.Request(url, data=form, method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        try:
            reason = json.loads(error.read() or b"{}").get("error") or error.reason
        except ValueError:
            reason = error.reason
        raise SetupNeeded(f"Login with Amazon refused ASK_REFRESH_TOKEN (HTTP {error.code}: {reason})") from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise SetupNeeded(f"Login with Amazon could not be reached at {url} ({error})") from None
    if not answer.get("access_token"):
        raise SetupNeeded("Login with Amazon answered without an access token")
    return Credentials(answer["access_token"], "ASK_REFRESH_TOKEN")
