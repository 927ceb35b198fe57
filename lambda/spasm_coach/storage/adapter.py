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

Each person in the home: when Alexa recognises the speaker (context.System.person), the
turn sees that person's own attributes, kept in the account's item as one map attribute
`person_<hash>` (the hash of the account and person ids, so no Alexa id is stored); else
it sees the account's own top-level attributes, as before any speaker was recognised. One
item per account keeps the table's key design, one expiry, and versioned writes for the
whole home; "everything for this account" is one delete.
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

# A recognised speaker's attributes live in the account's item under this prefix + a hash.
PERSON_PREFIX = "person_"


class StoreUnavailable(Exception):
    """The store could not be read or written (down, slow, throttled, misconfigured)."""


class Conflict(Exception):
    """The record changed since it was read (another device or session wrote it): the
    conditional write or delete changed nothing."""


class Snapshot(dict):
    """Persistent attributes as handed to the handlers, plus what was loaded: the
    attributes, their expiry and the record's version (None: there was no record)."""

    def __init__(self, data=None, expires_at=None, version=None, loaded=None, speaker=None, others=None):
        super().__init__(data or {})
        self.loaded = dict(self) if loaded is None else dict(loaded)
        self.expires_at = expires_at
        self.version = version
        self.expired = loaded is not None  # the record was past its expiry when read
        self.speaker = speaker  # None: the account's own attributes; else "person_<hash>"
        # The rest of the home's item as loaded: {"person_<hash>" or None (the account): attributes}
        self.others = dict(others or {})
        self.stale = []  # item attributes to remove with the next write (an expired home's)


def user_key(request_envelope):
    """The record's key: a hash of the Alexa user id, so the table holds no Alexa ids."""
    user_id = request_envelope.context.system.user.user_id
    return hashlib.sha256(user_id.encode("utf-8", "surrogatepass")).hexdigest()


def speaker_key(request_envelope):
    """Where the speaker's attributes live in the account's item: None (the account's
    own) when Alexa did not recognise who is speaking, else "person_<hash>"."""
    system = request_envelope.context.system
    person_id = getattr(getattr(system, "person", None), "person_id", None)
    if not isinstance(person_id, str) or not person_id:
        return None
    both = f"{system.user.user_id}\n{person_id}"
    return PERSON_PREFIX + hashlib.sha256(both.encode("utf-8", "surrogatepass")).hexdigest()


def split_views(data):
    """The item's attributes by whose they are: {None: the account's, "person_<hash>": a
    person's}. A person attribute that is not a map (not written by us) counts as empty."""
    views = {None: {k: v for k, v in data.items() if not k.startswith(PERSON_PREFIX)}}
    for name, value in data.items():
        if name.startswith(PERSON_PREFIX):
            views[name] = dict(value) if isinstance(value, dict) else {}
    return views


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
        """The speaker's attributes (see `speaker_key`), as a Snapshot."""
        data, expires_at, version = self.store.load(user_key(request_envelope))
        speaker = speaker_key(request_envelope)
        views = split_views(data)
        mine = views.pop(speaker, {})
        if expires_at is not None and expires_at <= request_time(request_envelope):
            # Expired but not yet deleted by DynamoDB: nothing to see. The stale
            # attributes count as loaded, so a write of anything new removes them (the
            # whole home's); with nothing new, nothing is written and DynamoDB deletes the item.
            snapshot = Snapshot({}, None, version, loaded=mine, speaker=speaker)
            snapshot.stale = [name for name in data if name not in _item_names(speaker, mine)]
            return snapshot
        return Snapshot(mine, expires_at, version, speaker=speaker,
                        others={name: view for name, view in views.items() if view})

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
        speaker = getattr(attributes, "speaker", speaker_key(request_envelope))
        if speaker is not None:  # a person's attributes are one map in the account's item
            if not isinstance(attributes, Snapshot):  # the read failed: keep what is stored
                current = self.get_attributes(request_envelope)
                attributes, expected = {**current, **attributes}, current.version
            changed, removed = ({speaker: dict(attributes)}, []) if attributes else ({}, [speaker] if loaded else [])
        removed = removed + getattr(attributes, "stale", [])
        version = self.store.update(user_key(request_envelope), changed, removed, now + self.ttl_s,
                                    expected_version=expected)
        if isinstance(attributes, Snapshot):
            attributes.stale = []
            attributes.loaded = dict(attributes)
            attributes.expires_at = now + self.ttl_s
            attributes.version = version
            attributes.expired = False

    def delete_attributes(self, request_envelope, attributes=None):
        """Delete the speaker's record (the others in the home keep theirs); given the
        loaded `attributes`, only if it is still at their version (else `Conflict`)."""
        if not isinstance(attributes, Snapshot):
            attributes = self.get_attributes(request_envelope)  # whose else is in the item?
        expected = attributes.version
        if not attributes.others:
            self.store.delete(user_key(request_envelope), expected_version=expected)
            return
        speaker = attributes.speaker
        names = _item_names(speaker, attributes.loaded)
        if names:
            self.store.update(user_key(request_envelope), {}, names,
                              request_time(request_envelope) + self.ttl_s, expected_version=expected)

    def delete_account(self, request_envelope):
        """Delete everything stored for the account: every person's and the account's own."""
        self.store.delete(user_key(request_envelope))


def _item_names(speaker, attributes):
    """The item's top-level attribute names that hold `speaker`'s `attributes`."""
    if speaker is None:
        return sorted(attributes)
    return [speaker] if attributes else []


_MISSING = object()
