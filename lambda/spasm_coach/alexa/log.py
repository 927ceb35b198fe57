"""Structured JSON logs that carry no user data.

Each line is one JSON object with the Lambda request id and a short hashed user reference
(enough to follow one user's turns, useless to identify them). Only the fields named in
SAFE_FIELDS can be logged: slot values, utterances, user and device ids never reach a line.
"""

import contextvars
import hashlib
import json
import logging

SAFE_FIELDS = frozenset({
    "event", "request_type", "intent", "outcome", "error", "operation", "status", "ms", "reason",
})

_logger = logging.getLogger("spasm_coach")
_logger.setLevel(logging.INFO)
_request = contextvars.ContextVar("spasm_coach_request", default={})


def user_ref(user_id):
    """A short, one-way reference to a user for correlating log lines."""
    if not isinstance(user_id, str) or not user_id:
        return None
    return hashlib.sha256(("log:" + user_id).encode("utf-8")).hexdigest()[:12]


def bind(request_id=None, user_id=None):
    """Attach the current request's id and user reference to every following line."""
    _request.set({"request_id": request_id if isinstance(request_id, str) else None, "user": user_ref(user_id)})


def info(**fields):
    _emit(logging.INFO, fields)


def warning(**fields):
    _emit(logging.WARNING, fields)


def _emit(level, fields):
    unknown = set(fields) - SAFE_FIELDS
    if unknown:
        raise ValueError(f"not a loggable field: {sorted(unknown)}")
    record = {**_request.get(), **fields}
    _logger.log(level, json.dumps({k: v for k, v in record.items() if v is not None}, sort_keys=True))
