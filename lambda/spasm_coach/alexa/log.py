"""Structured JSON logs that carry no user data.

Each line is one JSON object with the Lambda request id and a short hashed user reference
(enough to follow one user's turns, useless to identify them, and not the table's key, so
logs cannot be joined to stored records). Only the fields named in SAFE_FIELDS can be
logged: slot values, utterances, user and device ids never reach a line.
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

# Libraries that log what they send at DEBUG or INFO: botocore the table key and every
# attribute, urllib3 the Alexa API paths with the device id in them. They keep WARNING and
# above whatever level the function's log configuration asks for, so turning the
# application log level to DEBUG cannot leak anything. (To debug them on your own
# machine, lower these levels in your session.)
QUIET_LIBRARIES = ("botocore", "urllib3", "requests", "ask_sdk_core", "ask_sdk_runtime", "ask_sdk_model")
for _name in QUIET_LIBRARIES:
    logging.getLogger(_name).setLevel(logging.WARNING)
_request = contextvars.ContextVar("spasm_coach_request", default={})


def user_ref(user_id):
    """A short, one-way reference to a user for correlating log lines."""
    if not isinstance(user_id, str) or not user_id:
        return None
    # surrogatepass: an id JSON can carry but UTF-8 cannot (a lone surrogate) still hashes
    return hashlib.sha256(("log:" + user_id).encode("utf-8", "surrogatepass")).hexdigest()[:12]


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
