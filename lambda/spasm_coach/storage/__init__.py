"""Where a user's record lives: DynamoDB in AWS, an sqlite file on a developer machine.

Both stores have the same three operations (load, update, delete) and are reached only
through `RecordAdapter`, an ask-sdk persistence adapter. Nothing here knows about advice.
"""

import os
import tempfile
from pathlib import Path

from .adapter import Conflict, RecordAdapter, StoreUnavailable

DEFAULT_TTL_DAYS = 30
DEFAULT_LOCAL_PATH = Path(__file__).resolve().parents[3] / ".local" / "store.sqlite3"


def adapter_from_env(environ=os.environ):
    """The persistence adapter the environment asks for: DynamoDB when TABLE_NAME is set
    (as template.yaml does), else the local sqlite file at $BSC_LOCAL_STORE."""
    ttl_days = int(environ.get("DATA_TTL_DAYS") or DEFAULT_TTL_DAYS)
    if environ.get("TABLE_NAME"):
        from .dynamodb import DynamoDbStore
        store = DynamoDbStore(environ["TABLE_NAME"], endpoint_url=environ.get("DYNAMODB_ENDPOINT") or None)
    else:
        from .sqlite import SqliteStore
        store = SqliteStore(environ.get("BSC_LOCAL_STORE") or local_store_path())
    return RecordAdapter(store, ttl_days=ttl_days)


def local_store_path(default=DEFAULT_LOCAL_PATH):
    """The checkout's .local/store.sqlite3, or the same file in the temp directory when
    the checkout can't be written (a read-only copy of the code)."""
    folder = default.parent
    while not folder.exists():
        folder = folder.parent
    if os.access(folder, os.W_OK):
        return default
    return Path(tempfile.gettempdir()) / "back-spasm-coach" / default.name


__all__ = ["Conflict", "RecordAdapter", "StoreUnavailable", "adapter_from_env"]
