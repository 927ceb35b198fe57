"""The ask-sdk persistence adapter over our stores.

Reads give the handlers a plain dict (a `Snapshot` that remembers what was loaded); saves
write only the attributes that changed, as one atomic update, so a turn that changed
nothing costs no write and two devices changing different things never undo each other.
Every record also carries `expires_at` (a DynamoDB TTL attribute), pushed forward when the
user is active, so data of someone who stops using the skill goes away on its own.
"""

import hashlib
from datetime import datetime

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter

# Refresh the expiry at most this often when nothing else changed (seconds): one write a
# day at most, instead of one a turn.
TTL_REFRESH_S = 86400


class StoreUnavailable(Exception):
    """The store could not be read or written (down, slow, throttled, misconfigured)."""


class Snapshot(dict):
    """Persistent attributes as handed to the handlers, plus what was loaded."""

    def __init__(self, data=None, expires_at=None):
        super().__init__(data or {})
        self.loaded = dict(self)
        self.expires_at = expires_at


def user_key(request_envelope):
    """The record's key: a hash of the Alexa user id, so the table holds no Alexa ids."""
    user_id = request_envelope.context.system.user.user_id
    return hashlib.sha256(user_id.encode("utf-8")).hexdigest()


def request_time(request_envelope):
    """The request's timestamp in epoch seconds ("now" comes from the request, always)."""
    stamp = request_envelope.request.timestamp
    if isinstance(stamp, datetime):
        return int(stamp.timestamp())
    return int(datetime.fromisoformat(str(stamp).replace("Z", "+00:00")).timestamp())


class RecordAdapter(AbstractPersistenceAdapter):
    """Persistence adapter: one record per user in `store`, expiring after `ttl_days` idle."""

    def __init__(self, store, ttl_days):
        self.store = store
        self.ttl_s = int(ttl_days) * 86400

    def get_attributes(self, request_envelope):
        data, expires_at = self.store.load(user_key(request_envelope))
        return Snapshot(data, expires_at)

    def save_attributes(self, request_envelope, attributes):
        loaded = getattr(attributes, "loaded", {})
        changed = {k: v for k, v in attributes.items() if loaded.get(k, _MISSING) != v}
        removed = [k for k in loaded if k not in attributes]
        now = request_time(request_envelope)
        expires_at = getattr(attributes, "expires_at", None)
        stale_expiry = expires_at is None or expires_at < now + self.ttl_s - TTL_REFRESH_S
        if not changed and not removed and not (attributes and stale_expiry):
            return
        self.store.update(user_key(request_envelope), changed, removed, now + self.ttl_s)
        if isinstance(attributes, Snapshot):
            attributes.loaded = dict(attributes)
            attributes.expires_at = now + self.ttl_s

    def delete_attributes(self, request_envelope):
        self.store.delete(user_key(request_envelope))


_MISSING = object()
