"""The Alexa Reminders API, through ask-sdk's ReminderManagementServiceClient.

Failures are sorted into what the conversation needs to know: NoPermission (401/403: ask
for consent), Gone (404: the reminder no longer exists), Unavailable (anything else:
throttled, 5xx, network, timeouts). The models are imported when first needed, so a
cold start that never touches reminders does not pay for them.
"""

from datetime import datetime, timezone

from . import log, services

SCOPE = "alexa::alerts:reminders:skill:readwrite"


class NoPermission(Exception):
    pass


class Gone(Exception):
    pass


class Unavailable(Exception):
    pass


def build_request(text, locale, at, now, zone_name=None):
    """A ReminderRequest that speaks `text` at `at` (epoch): at that wall-clock time in the
    device's zone when we know it, else that many seconds from now."""
    from ask_sdk_model.services.reminder_management import (
        AlertInfo, PushNotification, PushNotificationStatus, ReminderRequest, SpokenInfo,
        SpokenText, Trigger, TriggerType,
    )
    from zoneinfo import ZoneInfo
    if zone_name:
        local = datetime.fromtimestamp(at, ZoneInfo(zone_name)).replace(tzinfo=None)
        trigger = Trigger(object_type=TriggerType.SCHEDULED_ABSOLUTE, scheduled_time=local, time_zone_id=zone_name)
    else:
        trigger = Trigger(object_type=TriggerType.SCHEDULED_RELATIVE, offset_in_seconds=int(at - now))
    return ReminderRequest(
        request_time=datetime.fromtimestamp(now, timezone.utc).replace(tzinfo=None),
        trigger=trigger,
        alert_info=AlertInfo(spoken_info=SpokenInfo(content=[SpokenText(locale=locale, text=text)])),
        push_notification=PushNotification(status=PushNotificationStatus.ENABLED),
    )


def create(handler_input, request):
    """Set a reminder; its alert token."""
    response = _call(handler_input, "create", lambda c: c.create_reminder(reminder_request=request))
    token = getattr(response, "alert_token", None)
    if not isinstance(token, str) or not token:
        raise Unavailable("no alert token in the answer")
    return token


def update(handler_input, token, request):
    _call(handler_input, "update", lambda c: c.update_reminder(alert_token=token, reminder_request=request))


def delete(handler_input, token):
    """Delete a reminder; one that is already gone counts as deleted."""
    try:
        _call(handler_input, "delete", lambda c: c.delete_reminder(alert_token=token))
    except Gone:
        pass


def existing_tokens(handler_input):
    """The alert tokens of this skill's reminders that are still set for the user."""
    response = _call(handler_input, "list", lambda c: c.get_reminders())
    alerts = getattr(response, "alerts", None) or []
    return {a.alert_token for a in alerts if getattr(a, "alert_token", None) and _still_on(a)}


def _still_on(alert):
    status = getattr(getattr(alert, "status", None), "value", getattr(alert, "status", None))
    return status in (None, "ON")


def _readable_reminders():
    """ask-sdk-model (1.82) describes AlertInfo.spoken_info with a module path that does
    not exist (reminder_management.alert_info_spoken_info), so reading any reminder back
    (get_reminders, get_reminder) fails. Point that path at the real SpokenInfo module.
    tests/test_reminders.py notices when the SDK fixes this and the alias can go."""
    import sys
    from ask_sdk_model.services.reminder_management import spoken_info
    sys.modules.setdefault("ask_sdk_model.services.reminder_management.alert_info_spoken_info", spoken_info)


def _call(handler_input, operation, work):
    from ask_sdk_model.services import ServiceException
    _readable_reminders()
    factory = services.client_factory(handler_input)
    if factory is None:
        raise Unavailable("no Alexa API access in this request")
    try:
        return work(factory.get_reminder_management_service())
    except ServiceException as error:
        log.warning(event="reminders_api", operation=operation, status=error.status_code)
        if error.status_code in (401, 403):
            raise NoPermission() from None
        if error.status_code == 404:
            raise Gone() from None
        raise Unavailable(error.status_code) from None
    except Exception as error:  # network, timeout, unreadable answer
        log.warning(event="reminders_api", operation=operation, status="failed", error=type(error).__name__)
        raise Unavailable(type(error).__name__) from None
