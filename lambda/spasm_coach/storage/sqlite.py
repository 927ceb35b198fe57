"""The local store: one sqlite file, so `make chat` and the tests need no AWS.

Same operations and the same merge-on-update behaviour as the DynamoDB store; each update
runs in one immediate transaction, so concurrent writers cannot lose each other's changes.
"""

import json
import sqlite3
from pathlib import Path

from .adapter import StoreUnavailable

SCHEMA = """CREATE TABLE IF NOT EXISTS records (
    user_key TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    expires_at INTEGER,
    version INTEGER NOT NULL DEFAULT 0
)"""


class SqliteStore:
    def __init__(self, path):
        self.path = str(path)
        self._connection = None

    def _db(self):
        if self._connection is None:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=2, isolation_level=None, check_same_thread=False)
            connection.execute(SCHEMA)
            self._connection = connection
        return self._connection

    def load(self, key):
        row = self._run(lambda db: db.execute(
            "SELECT data, expires_at FROM records WHERE user_key = ?", (key,)).fetchone())
        return (json.loads(row[0]), row[1]) if row else ({}, None)

    def update(self, key, changed, removed, expires_at):
        def merge(db):
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute("SELECT data FROM records WHERE user_key = ?", (key,)).fetchone()
                data = json.loads(row[0]) if row else {}
                data.update(changed)
                for name in removed:
                    data.pop(name, None)
                db.execute(
                    "INSERT INTO records (user_key, data, expires_at, version) VALUES (?, ?, ?, 1) "
                    "ON CONFLICT(user_key) DO UPDATE SET data = excluded.data, "
                    "expires_at = excluded.expires_at, version = version + 1",
                    (key, json.dumps(data, sort_keys=True), expires_at))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        self._run(merge)

    def delete(self, key):
        self._run(lambda db: db.execute("DELETE FROM records WHERE user_key = ?", (key,)))

    def clear(self):
        """Forget every user (the console's :reset)."""
        self._run(lambda db: db.execute("DELETE FROM records"))

    def _run(self, work):
        try:
            return work(self._db())
        except (sqlite3.Error, OSError, ValueError) as error:
            raise StoreUnavailable(f"sqlite: {type(error).__name__}") from error
