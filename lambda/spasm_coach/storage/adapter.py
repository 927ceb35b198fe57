"""The ask-sdk persistence adapter over our stores.

Reads give the handlers a plain dict (a `Snapshot` that remembers what was loaded and at
which version); saves write only the attributes that changed, as one atomic update that
succeeds only if nobody else wrote the record since it was read (`Conflict` otherwise, so
the caller can re-read and re-apply its change instead of silently overwriting another
device's). A turn that changed nothing costs no write.

Every record also carries `expires_at` (a DynamoDB TTL attribute), pushed forward when the
user is active, so data of someone who stops using the skill goes away on its own. DynamoDB
deletes expired items only some time after they expire, so a record read after its expiry
counts as no record at all (and the next write clears what was left in it).
"""

import hashlib
from datetime import datetime

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter

# Refresh the expiry at most this often when nothing else changed (seconds): one write a
# day at most, instead of one a turn. A record therefore lives between ttl_days - 1 and
# ttl_days after the last use, never longer.
TTL_REFRESH_S = 86400

# A write made without `expected_version` is unconditional.
ANY_VERSION = object()


class StoreUnavailable(Exception):
    """The store could not be read or written (down, slow, throttled, misconfigured)."""


class Conflict(Exception):
    """The record changed since it was read (another device or session wrote it): the
    conditional write or delete changed nothing."""


class Snapshot(dict):
    """Persistent attributes as handed to the handlers, plus what was loaded: the
    attributes, their expiry and the record's version (None: there was no record)."""

    def __init__(self, data=None, expires_at=None, version=None, loaded=None):
        super().__init__(data or {})
        self.loaded = dict(self) if loaded is None else dict(loaded)
        self.expires_at = expires_at
        self.version = version
        self.expired = loaded is not None  # the record was past its expiry when read


def user_key(request_envelope):
    """The record's key: a hash of the Alexa user id, so the table holds no Alexa ids."""
    user_id = request_envelope.context.system.user.user_id
    return hashlib.sha256(user_id.encode("utf-8", "surrogatepass")).hexdigest()


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

    @property
    def worst_case_s(self):
        """How long one store operation can take before it gives up (0: not bounded)."""
        return getattr(self.store, "worst_case_s", 0.0)

    def get_attributes(self, request_envelope):
        data, expires_at, version = self.store.load(user_key(request_envelope))
        if expires_at is not None and expires_at <= request_time(request_envelope):
            # Expired but not yet deleted by DynamoDB: nothing to see. The stale
            # attributes count as loaded, so a write of anything new removes them; with
            # nothing new, nothing is written and DynamoDB deletes the item.
            return Snapshot({}, None, version, loaded=data)
        return Snapshot(data, expires_at, version)

    def save_attributes(self, request_envelope, attributes):
        """Write what changed since `attributes` was loaded (and the expiry when it is
        due), only if the record is still at the version loaded: else `Conflict`. A plain
        dict (nothing loaded: the read failed) is written without that condition."""
        loaded = getattr(attributes, "loaded", {})
        expired = getattr(attributes, "expired", False)
        before = {} if expired else loaded  # after its expiry, everything in it is new
        changed = {k: v for k, v in attributes.items() if before.get(k, _MISSING) != v}
        removed = [k for k in loaded if k not in attributes]
        now = request_time(request_envelope)
        expires_at = getattr(attributes, "expires_at", None)
        stale_expiry = expires_at is None or expires_at < now + self.ttl_s - TTL_REFRESH_S
        if not changed and not removed and not (attributes and stale_expiry):
            return
        if expired and not changed:
            return
        expected = attributes.version if isinstance(attributes, Snapshot) else ANY_VERSION
        version = self.store.update(user_key(request_envelope), changed, removed, now + self.ttl_s,
                                    expected_version=expected)
        if isinstance(attributes, Snapshot):
            attributes.loaded = dict(attributes)
            attributes.expires_at = now + self.ttl_s
            attributes.version = version
            attributes.expired = False

    def delete_attributes(self, request_envelope, attributes=None):
        """Delete the user's record; given the loaded `attributes`, only if it is still at
        their version (else `Conflict`)."""
        expected = attributes.version if isinstance(attributes, Snapshot) else ANY_VERSION
        self.store.delete(user_key(request_envelope), expected_version=expected)


_MISSING = object()
