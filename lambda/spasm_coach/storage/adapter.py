"""The ask-sdk persistence adapter over our stores.

Reads give the handlers a plain dict (a `Snapshot` that remembers what was loaded and at
which version); saves write only the attributes that changed, as one atomic update that
succeeds only if nobody else wrote the record since it was read (`Conflict` otherwise,
carrying the record as it is now, so the caller can re-apply its change to that instead of
silently overwriting another device's). A turn that changed nothing costs no write.

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

Idempotent writes. A write can reach the store and be carried out while its answer is lost
(held past the client's read timeout, or cut off): botocore then sends it again, and a turn
that is told "the record changed" replays its change. Applied twice, a write would count
twice, or put back what another device changed in between. So each record
keeps the ids of the last few turns that wrote it (`RECENT_TURNS`, a hash of the Alexa
request id of each), every write adds its turn's id, and a write is only carried out if its turn's id is
not there yet. A conditional write that fails tells which turns the record names (the
store hands back the record as it is, in the same round trip): finding its own id, the turn
knows its write was applied, takes the record as it is and stops; else it is a real
`Conflict`, which carries that record for the replay. When every attempt went unanswered,
one read (if the turn's budget has room) tells the same. (A list of ids rather than only
the last one: another device may have written after the lost answer, before the retry.)

Why ids and not operations that change nothing when replayed: most of a turn's changes
are such (set a flag, set the start), but a counter is not, and neither is a replay over
what another device wrote after the lost answer; the id tells "already done" for any write.
"""

import hashlib
from datetime import datetime
from typing import NamedTuple

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter

# Refresh the expiry at most this often when nothing else changed (seconds): one write a
# day at most, instead of one a turn. A record therefore lives between ttl_days - 1 and
# ttl_days after the last use, never longer.
TTL_REFRESH_S = 86400

# A write made without `expected_version` is unconditional.
ANY_VERSION = object()

# A recognised speaker's attributes live in the account's item under this prefix + a hash.
PERSON_PREFIX = "person_"

# How many of the last writers' turn ids a record keeps: a write is recognised as its
# turn's as long as fewer other writes of the same user land between its lost answer and
# the retry (50 ms later) or the one read after it; a user's devices write a few times a
# minute at most. Each id is 16 hex digits (a hash of the request id): the list stays near
# 300 bytes, so a record stays under DynamoDB's 1 KB write unit.
RECENT_TURNS = 16
TURNS = "turns"  # the store's attribute holding them


class Stored(NamedTuple):
    """A record as a store holds it (`data`: the user's attributes)."""
    data: dict
    expires_at: int | None = None
    version: int | None = None
    turns: tuple = ()


NO_RECORD = Stored({})


class StoreUnavailable(Exception):
    """The store could not be read or written (down, slow, throttled, misconfigured)."""


class Conflict(Exception):
    """The record changed since it was read (another device or session wrote it): the
    conditional write or delete changed nothing. `current` is the record as the store
    holds it now (a `Stored`), and the adapter adds `fresh`, the Snapshot of it that the
    turn replays its change on (no re-read needed)."""

    def __init__(self, message, current=NO_RECORD):
        super().__init__(message)
        self.current = current
        self.fresh = None


class Snapshot(dict):
    """Persistent attributes as handed to the handlers, plus what was loaded: the
    attributes, their expiry and the record's version (None: there was no record)."""

    def __init__(self, data=None, expires_at=None, version=None, loaded=None, speaker=None, others=None,
                 turns=()):
        super().__init__(data or {})
        self.loaded = dict(self) if loaded is None else dict(loaded)
        self.expires_at = expires_at
        self.version = version
        self.turns = tuple(turns)  # the ids of the turns that wrote it last
        self.expired = loaded is not None  # the record was past its expiry when read
        self.speaker = speaker  # None: the account's own attributes; else "person_<hash>"
        # The rest of the home's item as loaded: {"person_<hash>" or None (the account): attributes}
        self.others = dict(others or {})
        self.stale = []  # item attributes to remove with the next write (an expired home's)

    def take(self, other):
        """Become `other` (a newer Snapshot of the same record), in place."""
        self.clear()
        self.update(other)
        self.__dict__.update(other.__dict__)


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


def turn_id(request_envelope):
    """The id of the turn making a write: a short hash of the Alexa request id (None: the
    request has none, and its writes are not made idempotent)."""
    request_id = getattr(request_envelope.request, "request_id", None)
    if not isinstance(request_id, str) or not request_id:
        return None
    return hashlib.sha256(request_id.encode("utf-8", "surrogatepass")).hexdigest()[:16]


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
        return self._snapshot(self.store.load(user_key(request_envelope)), request_envelope)

    def _snapshot(self, stored, request_envelope):
        data, expires_at, version, turns = stored
        speaker = speaker_key(request_envelope)
        views = split_views(data)
        mine = views.pop(speaker, {})
        if expires_at is not None and expires_at <= request_time(request_envelope):
            # Expired but not yet deleted by DynamoDB: nothing to see. The stale
            # attributes count as loaded, so a write of anything new removes them (the
            # whole home's); with nothing new, nothing is written and DynamoDB deletes the item.
            snapshot = Snapshot({}, None, version, loaded=mine, speaker=speaker, turns=turns)
            snapshot.stale = [name for name in data if name not in _item_names(speaker, mine)]
            return snapshot
        return Snapshot(mine, expires_at, version, speaker=speaker,
                        others={name: view for name, view in views.items() if view}, turns=turns)

    def save_attributes(self, request_envelope, attributes):
        """Write what changed since `attributes` was loaded (and the expiry when it is
        due), only if the record is still at the version loaded: else `Conflict`. A plain
        dict (nothing loaded: the read failed) is written without that condition. Either
        way the write is carried out at most once per turn: when the store says the record
        already names this turn (the answer to an earlier attempt was lost), `attributes`
        becomes the record as stored and nothing more is written."""
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
        snapshot = isinstance(attributes, Snapshot)
        expected = attributes.version if snapshot else ANY_VERSION
        speaker = getattr(attributes, "speaker", speaker_key(request_envelope))
        if speaker is not None:  # a person's attributes are one map in the account's item
            if not snapshot:  # the read failed: keep what is stored
                current = self.get_attributes(request_envelope)
                attributes, expected = {**current, **attributes}, current.version
            changed, removed = ({speaker: dict(attributes)}, []) if attributes else ({}, [speaker] if loaded else [])
        removed = removed + getattr(attributes, "stale", [])
        me = turn_id(request_envelope)
        # Known what the record held (the write is conditional on it): the new list, kept
        # short. Not known (a blind write): the store adds `me` to whatever is there.
        turns = (attributes.turns + (me,))[-RECENT_TURNS:] if snapshot and me else None
        try:
            try:
                version = self.store.update(user_key(request_envelope), changed, removed, now + self.ttl_s,
                                            expected_version=expected, turn_id=me, turns=turns)
            except StoreUnavailable:
                if me is None:
                    raise
                self._after_no_answer(request_envelope, expected)  # raises, unless it tells
                raise
        except Conflict as conflict:
            if conflict.fresh is None:
                conflict.fresh = self._snapshot(conflict.current, request_envelope)
            if me is None or me not in conflict.fresh.turns:
                raise
            if snapshot:  # already applied: take what is stored now, write nothing more
                attributes.take(conflict.fresh)
            return
        if snapshot:
            attributes.stale = []
            attributes.loaded = dict(attributes)
            attributes.expires_at = now + self.ttl_s
            attributes.version = version
            attributes.turns = turns
            attributes.expired = False

    def delete_attributes(self, request_envelope, attributes=None):
        """Delete the speaker's record (the others in the home keep theirs); given the
        loaded `attributes`, only if it is still at their version (else `Conflict`, with the
        record as it is now in `fresh`). A record that is gone when the condition fails
        counts as deleted (this delete's earlier attempt, whose answer was lost, or another
        device's): nothing is left to delete."""
        if not isinstance(attributes, Snapshot):
            attributes = self.get_attributes(request_envelope)  # whose else is in the item?
        expected = attributes.version
        if attributes.others:  # only the speaker's part of the home's item goes
            names = _item_names(attributes.speaker, attributes.loaded)
            if names:
                me = turn_id(request_envelope)
                turns = (attributes.turns + (me,))[-RECENT_TURNS:] if me else None
                try:
                    self.store.update(user_key(request_envelope), {}, names,
                                      request_time(request_envelope) + self.ttl_s, expected_version=expected,
                                      turn_id=me, turns=turns)
                except Conflict as conflict:
                    if conflict.fresh is None:
                        conflict.fresh = self._snapshot(conflict.current, request_envelope)
                    if me is None or me not in conflict.fresh.turns:
                        raise
            return
        try:
            try:
                self.store.delete(user_key(request_envelope), expected_version=expected)
            except StoreUnavailable:
                self._after_no_answer(request_envelope, expected, deleting=True)
                raise
        except Conflict as conflict:
            if conflict.current.version is None:
                return
            if conflict.fresh is None:
                conflict.fresh = self._snapshot(conflict.current, request_envelope)
            raise

    def delete_account(self, request_envelope):
        """Delete everything stored for the account: every person's and the account's own."""
        self.store.delete(user_key(request_envelope))

    def _after_no_answer(self, request_envelope, expected, deleting=False):
        """A write or delete went unanswered (every attempt): maybe it was carried out. One
        read, when the turn's budget has room for it, tells: it raises `Conflict` carrying
        the record as it is when that names this turn, or is gone after a delete (it was
        carried out: the callers take that as done), or is no longer at `expected`
        (another device wrote: the caller replays). It returns when nothing can be told
        (the read failed too, or the record is as it was: the write was not carried out)."""
        try:
            current = self.store.load(user_key(request_envelope))
        except StoreUnavailable:
            return
        me = turn_id(request_envelope)
        done = current.version is None if deleting else (me is not None and me in current.turns)
        if done or (expected is not ANY_VERSION and current.version != expected):
            conflict = Conflict("the record as it is after an unanswered write", current)
            conflict.fresh = self._snapshot(current, request_envelope)
            raise conflict


def _item_names(speaker, attributes):
    """The item's top-level attribute names that hold `speaker`'s `attributes`."""
    if speaker is None:
        return sorted(attributes)
    return [speaker] if attributes else []


_MISSING = object()
