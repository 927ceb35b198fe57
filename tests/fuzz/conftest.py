"""Hypothesis profiles and the skills under fuzz.

Profiles (pick one with HYPOTHESIS_PROFILE; `make test` uses "ci", `make fuzz` "fuzz"):
  ci    a few hundred examples in all, derandomized so every CI run tries the same ones
  fuzz  at least 100,000 examples across the property tests (FUZZ_EXAMPLES each)

The skills are built once per test module, on one throwaway in-memory sqlite store.
Every example first resets that store to the example's own stored record (see `run`), so
nothing carries over from one example to the next and a failure replays the same way when
shrunk.
"""

import copy
import hashlib
import logging
import os
import time
import traceback

import pytest
from hypothesis import HealthCheck, settings

from devkit.alexa import _get
from spasm_coach.alexa.services import TimedApiClient
from spasm_coach.alexa.skill import SpasmCoach
from spasm_coach.storage import RecordAdapter
from spasm_coach.storage.sqlite import SqliteStore

from .strategies import SKILL_ID

PROPERTY_TESTS = 3  # property tests in test_envelopes.py that share the fuzz budget
FUZZ_EXAMPLES = -(-100_000 // PROPERTY_TESTS) + 1000

_common = dict(
    deadline=None,
    database=None,  # nothing written into the checkout; failures print a reproduce blob
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
settings.register_profile("ci", max_examples=150, derandomize=True, **_common)
settings.register_profile("fuzz", max_examples=FUZZ_EXAMPLES, **_common)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


class Crashes:
    """Exceptions the skill's ErrorHandler caught (hidden by the apology it speaks)."""

    def __init__(self):
        self.seen = []

    def watch(self, coach):
        for handler in coach.skill.request_dispatcher.exception_mapper._exception_handlers:
            original = handler.handle

            def handle(handler_input, exception, original=original):
                self.seen.append("".join(traceback.format_exception(exception)))
                return original(handler_input, exception)
            handler.handle = handle
        return coach


@pytest.fixture(scope="module")
def fuzz_store():
    """A throwaway sqlite store, in memory: a hundred thousand examples need no fsyncs."""
    return SqliteStore(":memory:")


@pytest.fixture(scope="module")
def crashes():
    return Crashes()


@pytest.fixture(scope="module")
def skill(content, fuzz_store, crashes):
    """The skill as tests/conftest.py's `skill` builds it (local store, no Alexa APIs),
    once per module."""
    return crashes.watch(SpasmCoach(content, RecordAdapter(fuzz_store, ttl_days=30)))


@pytest.fixture(scope="module")
def deployed_skill(content, fuzz_store, crashes):
    """The skill as app.py wires it: a skill id to check and an Alexa API client (the fuzzed
    envelopes point it at an address where nothing listens)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NO_PROXY", "127.0.0.1,localhost")  # never route the API calls anywhere else
        patch.setenv("no_proxy", "127.0.0.1,localhost")
        yield crashes.watch(SpasmCoach(content, RecordAdapter(fuzz_store, ttl_days=30),
                                       api_client=TimedApiClient(), skill_id=SKILL_ID))


@pytest.fixture(autouse=True, scope="module")
def _quiet_logs():
    """The skill logs a line or two per request; a hundred thousand of them help nobody."""
    logger = logging.getLogger("spasm_coach")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


def user_key(user_id):
    """The store's key for `user_id` (storage/adapter.user_key, without an envelope)."""
    return hashlib.sha256(user_id.encode("utf-8", "surrogatepass")).hexdigest()


def run(coach, store, crashes, case):
    """Reset the store to the case's stored record, call the Lambda handler with a copy of
    the envelope, and return (response, tracebacks of the exceptions its ErrorHandler hid,
    CPU seconds the call took in this thread). Anything the handler raises propagates:
    that is the first invariant broken."""
    store.clear()
    user_id = _get(case.envelope, "context", "System", "user", "userId")
    if case.stored and isinstance(user_id, str):
        store.update(user_key(user_id), case.stored, [], None)
    crashes.seen.clear()
    event = copy.deepcopy(case.envelope)
    started = time.thread_time()
    response = coach(event, None)
    return response, list(crashes.seen), time.thread_time() - started
