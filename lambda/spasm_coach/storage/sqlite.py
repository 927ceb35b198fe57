"""The local store: one sqlite file, so `make chat` and the tests need no AWS.

Same operations and the same merge-on-update behaviour as the DynamoDB store, versions,
conditional writes and the recent writers' turn ids included (kept in the JSON beside the
attributes, as DynamoDB keeps them beside the attributes); each update runs in one
immediate transaction, so concurrent writers cannot lose each other's changes.
"""

import json
import sqlite3
import threading
from pathlib import Path

from .adapter import ANY_VERSION, NO_RECORD, TURNS, Conflict, Stored, StoreUnavailable

SCHEMA = """CREATE TABLE IF NOT EXISTS records (
    user_key TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    expires_at INTEGER,
    version INTEGER NOT NULL DEFAULT 0
)"""


class SqliteStore:
    def __init__(self, path):
        self.path = str(path)
        self._local = threading.local()  # one connection per thread: a transaction is a connection's

    def _db(self):
        connection = getattr(self._local, "connection", None)
        if connection is None:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=2, isolation_level=None)
            connection.execute(SCHEMA)
            self._local.connection = connection
        return connection

    def load(self, key):
        return self._run(lambda db: _read(db, key))

    def update(self, key, changed, removed, expires_at, expected_version=ANY_VERSION, turn_id=None, turns=None):
        if TURNS in changed or TURNS in removed:
            raise ValueError(f"{TURNS!r} is reserved by the store")

        def merge(db):
            current = _read(db, key)
            if expected_version is not ANY_VERSION and current.version != expected_version:
                raise Conflict("sqlite update: the record changed", current)
            if turns is None and turn_id is not None and turn_id in current.turns:
                raise Conflict("sqlite update: this turn wrote the record already", current)
            data = dict(current.data)
            data.update(changed)
            for name in removed:
                data.pop(name, None)
            writers = list(current.turns if turns is None else turns)
            if turns is None and turn_id is not None:
                writers.append(turn_id)
            if writers:
                data[TURNS] = writers
            version = (current.version or 0) + 1
            db.execute(
                "INSERT INTO records (user_key, data, expires_at, version) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(user_key) DO UPDATE SET data = excluded.data, "
                "expires_at = excluded.expires_at, version = excluded.version",
                (key, json.dumps(data, sort_keys=True), expires_at, version))
            return version
        return self._run(merge, transaction=True)

    def delete(self, key, expected_version=ANY_VERSION):
        def remove(db):
            current = _read(db, key)
            if expected_version is not ANY_VERSION and current.version != expected_version:
                raise Conflict("sqlite delete: the record changed", current)
            db.execute("DELETE FROM records WHERE user_key = ?", (key,))
        self._run(remove, transaction=True)

    def clear(self):
        """Forget every user (the console's :reset)."""
        self._run(lambda db: db.execute("DELETE FROM records"))

    def _run(self, work, transaction=False):
        try:
            db = self._db()
            if not transaction:
                return work(db)
            db.execute("BEGIN IMMEDIATE")
            try:
                result = work(db)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return result
        except (sqlite3.Error, OSError, ValueError) as error:
            raise StoreUnavailable(f"sqlite: {type(error).__name__}") from error


def _read(db, key):
    row = db.execute("SELECT data, expires_at, version FROM records WHERE user_key = ?", (key,)).fetchone()
    if not row:
        return NO_RECORD
    data = json.loads(row[0])
    turns = data.pop(TURNS, [])
    return Stored(data, row[1], row[2], tuple(t for t in turns if isinstance(t, str)) if isinstance(turns, list) else ())
