"""Reading slots from an IntentRequest, defensively (any of it may be missing)."""

from ask_sdk_model.slu.entityresolution import StatusCode

FREE_TEXT_MAX_CHARS = 500


def _slot(handler_input, name):
    intent = getattr(handler_input.request_envelope.request, "intent", None)
    slots = getattr(intent, "slots", None) or {}
    return slots.get(name)


def value(handler_input, name):
    """What filled the slot (Alexa's resolved value for built-in types), or None."""
    slot = _slot(handler_input, name)
    text = getattr(slot, "value", None)
    return text.strip() if isinstance(text, str) and text.strip() else None


def values(handler_input, *names):
    return {name: value(handler_input, name) for name in names}


def value_id(handler_input, name, known):
    """The id of a custom slot value: from entity resolution when it matched, else the
    spoken value itself when it is one of the `known` ids. None when neither."""
    slot = _slot(handler_input, name)
    resolutions = getattr(getattr(slot, "resolutions", None), "resolutions_per_authority", None) or []
    for resolution in resolutions:
        if getattr(getattr(resolution, "status", None), "code", None) != StatusCode.ER_SUCCESS_MATCH:
            continue
        for item in resolution.values or []:
            candidate = getattr(getattr(item, "value", None), "id", None)
            if candidate in known:
                return candidate
    spoken = value(handler_input, name)
    candidate = spoken.lower().replace(" ", "_") if spoken else None
    return candidate if candidate in known else None


def free_text(handler_input):
    """Words of this request that reached us unresolved: slot values that are neither
    matched custom values nor Alexa-resolved dates, times or durations (a client that
    sends raw words, AMAZON.SearchQuery, a custom value Alexa could not match)."""
    from .. import spoken_time
    intent = getattr(handler_input.request_envelope.request, "intent", None)
    texts = []
    for slot in (getattr(intent, "slots", None) or {}).values():
        text = getattr(slot, "value", None)
        if not isinstance(text, str) or not text.strip():
            continue
        resolutions = getattr(getattr(slot, "resolutions", None), "resolutions_per_authority", None) or []
        if any(getattr(getattr(r, "status", None), "code", None) == StatusCode.ER_SUCCESS_MATCH for r in resolutions):
            continue
        value = text.strip()
        if spoken_time.is_alexa_date(value) or spoken_time.is_alexa_time(value) or spoken_time.is_alexa_duration(value):
            continue
        texts.append(value)
    # What a person says in one breath is short; the cap keeps the red-flag patterns
    # (triage.mentioned_flags) fast on junk of any length.
    return " ".join(texts)[:FREE_TEXT_MAX_CHARS]
