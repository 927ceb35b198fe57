"""How long a turn can wait on I/O, as a property of the configuration (no timing here):
the store's and the Alexa APIs' timeouts, attempts and back-off add up to a worst case
that fits the turn's budget, and the budget stops I/O that would not fit."""

import botocore.loaders
import pytest

from spasm_coach import budget
from spasm_coach.alexa import services
from spasm_coach.storage import StoreUnavailable
from spasm_coach.storage.dynamodb import CLIENT_CONFIG, RETRY_BACKOFF_S, STORE_OP_WORST_S, DynamoDbStore
from tests.conftest import PRODUCTION_IO
from tests.template import load_template

ALEXA_GIVES_UP_S = 8.0
ANSWER_WITHIN_S = 3.0  # the "about 3 seconds"


@pytest.fixture(autouse=True)
def production_io(monkeypatch):
    """These tests are about production's configuration: none of the test run's generous
    timeouts (tests/conftest.py) in the environment."""
    for name in PRODUCTION_IO:
        monkeypatch.delenv(name, raising=False)


def legacy_dynamodb_backoffs(retries):
    """The waits botocore's legacy retry mode makes before each DynamoDB retry, from
    botocore's own retry data (base x growth ^ (attempt - 1))."""
    delay = botocore.loaders.create_loader().load_data("_retry")["retry"]["dynamodb"]["__default__"]["delay"]
    assert delay["type"] == "exponential" and delay["base"] != "rand"
    return [delay["base"] * delay["growth_factor"] ** n for n in range(retries)]


def test_the_store_client_is_built_with_the_configuration():
    store = DynamoDbStore("t", endpoint_url="http://127.0.0.1:9")
    config = store.client.meta.config
    assert (config.connect_timeout, config.read_timeout) == (CLIENT_CONFIG.connect_timeout, CLIENT_CONFIG.read_timeout)
    assert config.retries == {"total_max_attempts": 2, "mode": "legacy"}


def test_one_store_operation_gives_up_within_its_stated_worst_case():
    attempts = CLIENT_CONFIG.retries["total_max_attempts"]
    backoffs = legacy_dynamodb_backoffs(attempts - 1)
    worst = attempts * (CLIENT_CONFIG.connect_timeout + CLIENT_CONFIG.read_timeout) + sum(backoffs)
    assert backoffs[:1] == [RETRY_BACKOFF_S]
    assert STORE_OP_WORST_S == pytest.approx(worst) and DynamoDbStore.worst_case_s == STORE_OP_WORST_S


def test_a_failing_read_and_write_and_api_call_fit_the_turn_budget():
    """The issue's worst case: a read and a write that each fail after all attempts, plus
    an Alexa API call that fails after its timeouts."""
    api_call = sum(services.API_TIMEOUT)
    assert services.API_CALL_WORST_S == api_call
    worst = 2 * STORE_OP_WORST_S + api_call
    assert worst <= budget.TURN_IO_BUDGET_S + 1e-9
    assert budget.TURN_IO_BUDGET_S <= ANSWER_WITHIN_S


def test_the_lambda_timeout_is_a_backstop_beyond_the_budget_and_before_alexa_gives_up():
    function = next(r for r in load_template()["Resources"].values() if r["Type"] == "AWS::Serverless::Function")
    assert budget.TURN_IO_BUDGET_S < function["Properties"]["Timeout"] < ALEXA_GIVES_UP_S


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_the_budget_lets_an_operation_start_only_when_its_worst_case_fits():
    clock = Clock()
    turn = budget.Budget(3.0, store_op_s=1.05, clock=clock)
    assert turn.allows_store_op(1.05)
    clock.now += 1.05  # a read failed slowly
    assert turn.allows_api_call(0.9)  # 1.95 left: 0.9 for the call, 1.05 kept for the save
    clock.now += 0.2
    assert not turn.allows_api_call(0.9)  # would eat into the save's room
    assert turn.allows_store_op(1.05)
    clock.now += 1.05
    assert not turn.allows_store_op(1.05)


def test_after_an_unanswered_api_call_the_turn_makes_no_more():
    turn = budget.Budget(3.0, clock=Clock())
    turn.api_unreachable = True
    assert not turn.allows_api_call(0.1) and turn.allows_store_op(1.05)


def test_outside_a_turn_nothing_is_refused_and_the_budget_ends_with_the_turn():
    assert budget.allows_store_op(100) and budget.allows_api_call(100)
    with budget.turn(store_op_s=1.05, budget_s=0.5):
        assert not budget.allows_store_op(1.05)
        budget.api_unreachable()
        assert not budget.allows_api_call(0.01)
    assert budget.allows_store_op(100) and budget.allows_api_call(100)


class NoCalls:
    """A botocore client stand-in that must not be called."""

    def __getattr__(self, name):
        raise AssertionError(f"the store called {name} without time for it")


def test_the_store_refuses_an_operation_that_would_not_fit_without_any_io():
    store = DynamoDbStore("t", client=NoCalls())
    with budget.turn(store_op_s=STORE_OP_WORST_S, budget_s=STORE_OP_WORST_S - 0.01):
        with pytest.raises(StoreUnavailable, match="no time left"):
            store.load("k")


def test_the_api_client_refuses_a_call_that_would_not_fit_without_any_io():
    from ask_sdk_model.services import ApiClientRequest
    client = services.TimedApiClient()
    request = ApiClientRequest(url="https://127.0.0.1:9/v2/x", method="GET", headers=[])
    with budget.turn(store_op_s=STORE_OP_WORST_S, budget_s=STORE_OP_WORST_S + 0.5):
        with pytest.raises(services.ApiCallFailed, match="no time left"):
            client.invoke(request)
    assert client._session is None  # requests was never even set up


def test_the_timeouts_and_the_budget_can_be_set_from_the_environment(monkeypatch, content):
    from spasm_coach.alexa.skill import SpasmCoach
    from spasm_coach.storage.dynamodb import worst_case_s
    for name, value in {"BSC_STORE_CONNECT_TIMEOUT_S": "1.5", "BSC_STORE_READ_TIMEOUT_S": "4",
                        "BSC_API_CONNECT_TIMEOUT_S": "2", "BSC_API_READ_TIMEOUT_S": "6",
                        "BSC_TURN_IO_BUDGET_S": "30"}.items():
        monkeypatch.setenv(name, value)
    store = DynamoDbStore("t", endpoint_url="http://127.0.0.1:9")
    config = store.client.meta.config
    assert (config.connect_timeout, config.read_timeout) == (1.5, 4.0)
    assert config.retries == CLIENT_CONFIG.retries, "only the timeouts change"
    assert store.worst_case_s == worst_case_s(config) == 2 * 5.5 + RETRY_BACKOFF_S
    assert services.TimedApiClient().timeout == (2.0, 6.0)
    assert SpasmCoach(content, None).io_budget_s == 30.0


def test_unset_or_unusable_values_leave_the_production_values(monkeypatch, content):
    from spasm_coach.alexa.skill import SpasmCoach
    monkeypatch.setenv("BSC_STORE_READ_TIMEOUT_S", "fast")
    monkeypatch.setenv("BSC_API_READ_TIMEOUT_S", "-1")
    monkeypatch.setenv("BSC_TURN_IO_BUDGET_S", "")
    store = DynamoDbStore("t", endpoint_url="http://127.0.0.1:9")
    assert store.client.meta.config.read_timeout == CLIENT_CONFIG.read_timeout
    assert store.worst_case_s == STORE_OP_WORST_S
    assert services.TimedApiClient().timeout == services.API_TIMEOUT
    assert SpasmCoach(content, None).io_budget_s == budget.TURN_IO_BUDGET_S
