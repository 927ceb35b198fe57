"""Parallel writers for tests/integration/test_concurrency.py: each does read-modify-write
updates of one user's record through the skill's persistence adapter (RecordAdapter over
DynamoDbStore), the way a turn does, in threads or in separate processes (so importable
by a spawned child)."""

import os
from datetime import datetime, timezone

import devkit  # noqa: F401  (puts lambda/ on the import path)
from devkit.dynamodb_local import FAKE_AWS

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc)


def envelope(user_id):
    from ask_sdk_model import Context, IntentRequest, RequestEnvelope, User
    from ask_sdk_model.interfaces.system import SystemState
    return RequestEnvelope(context=Context(system=SystemState(user=User(user_id=user_id))),
                           request=IntentRequest(timestamp=NOW))


def write(endpoint, table, user_id, writer, updates, conditional=True):
    """`updates` times: read the record, add one to this writer's own counter `w<writer>`
    (a field nobody else writes) and to `shared` (a field every writer writes), save. With
    `conditional`, a save that meets another writer's change (Conflict) re-reads and
    re-applies, as alexa/turn.py does; without, it is the unconditional write of only the
    changed attributes the store made before versions. Returns the conflicts met."""
    os.environ.update(FAKE_AWS)
    from spasm_coach.storage import Conflict, RecordAdapter
    from spasm_coach.storage.adapter import user_key
    from spasm_coach.storage.dynamodb import DynamoDbStore
    adapter = RecordAdapter(DynamoDbStore(table, endpoint_url=endpoint), ttl_days=30)
    request, mine, conflicts = envelope(user_id), f"w{writer}", 0
    for _ in range(updates):
        while True:
            record = adapter.get_attributes(request)
            record[mine] = record.get(mine, 0) + 1
            record["shared"] = record.get("shared", 0) + 1
            if not conditional:
                changed = {k: v for k, v in record.items() if record.loaded.get(k) != v}
                adapter.store.update(user_key(request), changed, [], 2000000000)
                break
            try:
                adapter.save_attributes(request, record)
                break
            except Conflict:
                conflicts += 1
    return conflicts
