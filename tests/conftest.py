"""Shared test setup: the skill's code (lambda/, or with BSC_PACKAGE the built package, as
`make test` runs it: devkit/__init__.py) and the repo root on the import path, and a skill
wired to a throwaway local store, talking through devkit's Alexa stand-in."""

import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
import devkit  # noqa: E402,F401  (the skill's code first on the import path)

from devkit.alexa import Caller, Conversation  # noqa: E402
from spasm_coach import content as content_module  # noqa: E402
from spasm_coach.alexa.skill import SpasmCoach  # noqa: E402
from spasm_coach.storage import RecordAdapter  # noqa: E402
from spasm_coach.storage.sqlite import SqliteStore  # noqa: E402

# A Wednesday afternoon, 3 PM UTC.
T0 = datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="session")
def content():
    return content_module.load()


@pytest.fixture
def store(tmp_path):
    return SqliteStore(tmp_path / "store.sqlite3")


@pytest.fixture
def skill(content, store):
    """The skill as Lambda would run it, on a local store, without Alexa service APIs."""
    return SpasmCoach(content, RecordAdapter(store, ttl_days=30))


@pytest.fixture
def talk(skill):
    """A conversation with the skill at T0; set `.now` to travel in time."""
    return Conversation(skill, Caller(), now=T0)


# --- the local Alexa service APIs (Settings, Reminders) over HTTPS -------------------------

@pytest.fixture(scope="session")
def _api_server(tmp_path_factory):
    from devkit.alexa_apis import LocalAlexaApis
    apis = LocalAlexaApis()
    apis.start(tmp_path_factory.mktemp("alexa-apis"))
    yield apis
    apis.stop()


@pytest.fixture
def apis(_api_server, monkeypatch):
    """The local Settings and Reminders APIs, reset for each test: device zone
    America/New_York, reminders permission granted, no reminders, no faults."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(_api_server.ca_path))
    _api_server.zone, _api_server.granted = "America/New_York", True
    _api_server.reminders.clear()
    _api_server.calls.clear()
    _api_server._faults.clear()
    return _api_server


@pytest.fixture
def device_talk(content, store, apis):
    """A conversation from a device whose requests carry Alexa API access pointing at the
    local APIs, with the skill wired as app.py wires it (TimedApiClient)."""
    from spasm_coach.alexa.services import TimedApiClient
    skill = SpasmCoach(content, RecordAdapter(store, ttl_days=30), api_client=TimedApiClient())
    caller = Caller(api_endpoint=apis.endpoint, api_token="local-api-token")
    return Conversation(skill, caller, now=T0)
