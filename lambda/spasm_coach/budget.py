"""The time a turn may spend waiting on I/O, so that it answers within about 3 seconds
whatever goes wrong around it (Alexa gives up after 8).

Each store operation and each Alexa API call has a configured worst case: its timeouts
times its attempts, plus back-off (storage/dynamodb.py: STORE_OP_WORST_S;
alexa/services.py: API_CALL_WORST_S). A turn starts with TURN_IO_BUDGET_S, and an
operation only starts when its whole worst case fits in what is left; an Alexa API call
must also leave room for one store operation, so the save at the end of a turn (or a
"delete my data") is never squeezed out by reminders. So a turn never waits longer than
the budget in all, however many calls it makes and however they fail; what does not fit
fails at once, and the turn says what could not be done. And once an Alexa API call got
no answer at all, the turn makes no more API calls.

The budget lives in a context variable set by the Lambda handler for the length of one
request (`turn`); code running outside a request (tools, tests calling a store directly)
has no budget and is never refused.

The budget and every timeout it is made of can be set from the environment (`seconds`:
BSC_TURN_IO_BUDGET_S here, BSC_STORE_*_TIMEOUT_S in storage/dynamodb.py,
BSC_API_*_TIMEOUT_S in alexa/services.py). Production sets none of them (template.yaml),
so the measured values below hold there; tests that are not about timeouts set generous
ones (tests/conftest.py), so a busy machine cannot make a healthy store or API look down.
"""

import contextlib
import contextvars
import os
import time

# A read and a write that both fail after all their attempts, plus one failing Alexa API
# call, must fit: 2 x 1.05 + 0.9 = 3.0 s (tests/test_budget.py checks this against the
# configuration). What the handler does besides I/O takes tens of milliseconds.
# Environment: BSC_TURN_IO_BUDGET_S (raise it with the timeouts, or operations are refused).
TURN_IO_BUDGET_S = 3.0


def seconds(name, default, environ=None):
    """The duration (seconds) set by environment variable `name`, or `default` when it is
    unset or not a positive number (a typo must not take the skill down)."""
    value = (os.environ if environ is None else environ).get(name)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return number if 0 < number < float("inf") else default


def turn_io_budget_s(environ=None):
    return seconds("BSC_TURN_IO_BUDGET_S", TURN_IO_BUDGET_S, environ)


class Budget:
    def __init__(self, seconds, store_op_s=0.0, clock=time.monotonic):
        self.clock = clock
        self.ends = clock() + seconds
        self.store_op_s = store_op_s
        self.api_unreachable = False

    def left(self):
        return self.ends - self.clock()

    def allows_store_op(self, worst_s):
        return self.left() >= worst_s

    def allows_api_call(self, worst_s):
        """Room for the call's worst case and, after it, one store operation; and no
        call of this turn has gone unanswered."""
        return not self.api_unreachable and self.left() - self.store_op_s >= worst_s


_current = contextvars.ContextVar("spasm_coach_budget", default=None)


@contextlib.contextmanager
def turn(store_op_s=0.0, budget_s=TURN_IO_BUDGET_S):
    """The budget of the request being handled, in force inside the `with` block."""
    token = _current.set(Budget(budget_s, store_op_s))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def allows_store_op(worst_s):
    budget = _current.get()
    return budget is None or budget.allows_store_op(worst_s)


def allows_api_call(worst_s):
    budget = _current.get()
    return budget is None or budget.allows_api_call(worst_s)


def api_unreachable():
    """An Alexa API call got no answer (refused, reset, timed out): the next one in this
    turn would most likely cost its full timeout for nothing, so there is none."""
    budget = _current.get()
    if budget is not None:
        budget.api_unreachable = True
