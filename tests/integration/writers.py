"""Parallel writers for tests/integration/test_concurrency.py: each does read-modify-write
updates of one user's record through the skill's persistence adapter (RecordAdapter over
DynamoDbStore), the way a turn does, in threads or in separate processes (so importable
by a spawned child)."""

import os
import uuid
from datetime import datetime, timezone

import devkit  # noqa: F401  (puts lambda/ on the import path)
from devkit.dynamodb_local import FAKE_AWS

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc)
SAVE_TRIES = 200  # far more than 8 writers' conflicts ever need; a bound, not a limit


def envelope(user_id, request_id=None):
    from ask_sdk_model import Context, IntentRequest, RequestEnvelope, User
    from ask_sdk_model.interfaces.system import SystemState
    return RequestEnvelope(context=Context(system=SystemState(user=User(user_id=user_id))),
                           request=IntentRequest(timestamp=NOW, request_id=request_id))


def write(endpoint, table, user_id, writer, updates, conditional=True):
    """`updates` times, each as one turn with its own request id: read the record, add one
    to this writer's own counter `w<writer>` (a field nobody else writes) and to `shared`
    (a field every writer writes), save. With `conditional`, a save that meets another
    writer's change (Conflict) re-applies the +1 to the record the conflict handed back, as
    alexa/turn.py replays; a save whose answer was lost and that was sent again is
    recognised by the adapter as applied, so no +1 counts twice; a save that failed
    (StoreUnavailable) is sent again as the same turn, which is safe for the same reason.
    Without `conditional`, it is the unconditional write of only the changed attributes
    the store made before versions. Returns the conflicts met."""
    os.environ.update(FAKE_AWS)
    from spasm_coach.storage import Conflict, RecordAdapter, StoreUnavailable
    from spasm_coach.storage.adapter import user_key
    from spasm_coach.storage.dynamodb import DynamoDbStore
    adapter = RecordAdapter(DynamoDbStore(table, endpoint_url=endpoint), ttl_days=30)
    mine, conflicts = f"w{writer}", 0
    for _ in range(updates):
        request = envelope(user_id, f"amzn1.echo-api.request.{uuid.uuid4()}")
        record = count(read(adapter, request), mine)
        if not conditional:
            changed = {k: v for k, v in record.items() if record.loaded.get(k) != v}
            adapter.store.update(user_key(request), changed, [], 2000000000)
            continue
        for _ in range(SAVE_TRIES):
            try:
                adapter.save_attributes(request, record)
                break
            except Conflict as conflict:
                conflicts += 1
                record = count(conflict.fresh, mine)
            except StoreUnavailable:
                pass  # the same save again, as the same turn
        else:
            raise RuntimeError(f"writer {writer}: an update could not be saved in {SAVE_TRIES} tries")
    return conflicts


def read(adapter, request):
    """The record, read again while the store is unavailable (up to SAVE_TRIES times)."""
    from spasm_coach.storage import StoreUnavailable
    for _ in range(SAVE_TRIES - 1):
        try:
            return adapter.get_attributes(request)
        except StoreUnavailable:
            pass
    return adapter.get_attributes(request)


def count(record, mine):
    """One update: one more in the writer's own counter and in the shared one."""
    record[mine] = record.get(mine, 0) + 1
    record["shared"] = record.get("shared", 0) + 1
    return record
