"""Shared test setup: the skill's code (lambda/, or with BSC_PACKAGE the built package, as
`make test` runs it: devkit/__init__.py) and the repo root on the import path, generous I/O
timeouts for every test (and every process a test starts), and a skill wired to a throwaway
local store, talking through devkit's Alexa stand-in."""

import os
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


# --- I/O timeouts ------------------------------------------------------------------------

def io_environment(store=None, api=None):
    """The environment that gives the store the (connect, read) timeouts `store`, the Alexa
    APIs `api` (production's where None) and the turn a budget that fits them as
    production's fits its own: a read and a write failing after every attempt, and one
    failing API call (spasm_coach/budget.py)."""
    from botocore.config import Config

    from spasm_coach.alexa.services import API_TIMEOUT
    from spasm_coach.storage.dynamodb import CLIENT_CONFIG, worst_case_s
    store = store or (CLIENT_CONFIG.connect_timeout, CLIENT_CONFIG.read_timeout)
    api = api or API_TIMEOUT
    store_op_s = worst_case_s(Config(connect_timeout=store[0], read_timeout=store[1], retries=CLIENT_CONFIG.retries))
    return {"BSC_STORE_CONNECT_TIMEOUT_S": str(store[0]), "BSC_STORE_READ_TIMEOUT_S": str(store[1]),
            "BSC_API_CONNECT_TIMEOUT_S": str(api[0]), "BSC_API_READ_TIMEOUT_S": str(api[1]),
            "BSC_TURN_IO_BUDGET_S": str(round(2 * store_op_s + sum(api), 3))}


# Far beyond anything a healthy loopback store or API takes on a busy machine: a test that
# is not about timeouts never races one. Tests that are (tests/test_budget.py) or that
# inject faults (tests/integration/test_faults.py) set their own.
GENEROUS = (5.0, 10.0)
GENEROUS_IO = io_environment(store=GENEROUS, api=GENEROUS)
PRODUCTION_IO = io_environment()


# How long a command a test runs may take before it counts as hung: far beyond its time on a
# machine busy with other work (make test-stress), so a slow machine never fails a test.
HANG_S = 900


@pytest.fixture(scope="session", autouse=True)
def generous_timeouts():
    """GENEROUS_IO in os.environ for the whole run, so every skill built in a test (or in a
    process a test starts) reads it."""
    saved = {name: os.environ.get(name) for name in GENEROUS_IO}
    os.environ.update(GENEROUS_IO)
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def pytest_terminal_summary(terminalreporter, config):
    """The random order's seed (pytest-randomly), where a failure's reader looks: at the end."""
    seed = getattr(config.option, "randomly_seed", None)
    if config.pluginmanager.hasplugin("randomly") and isinstance(seed, int):
        terminalreporter.write_line(f"random test order: seed {seed} (replay it: make test SEED={seed})")


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
