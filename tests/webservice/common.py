"""What the web service tests share besides fixtures (one module, however pytest imports
the conftest): the skill id they serve, the handler that records what reaches it, and the
figures printed at the end of the run."""

import threading

SKILL_ID = "amzn1.ask.skill.11111111-2222-3333-4444-555555555555"
MEASURED = []  # lines for the end of the run: measured, never asserted


class Recorder:
    """The handler behind the endpoint: records each event it is given."""

    def __init__(self):
        self.events = []
        self._lock = threading.Lock()

    def __call__(self, event, context):
        with self._lock:
            self.events.append(event)
        return {"version": "1.0", "response": {"outputSpeech": {"type": "PlainText", "text": "handled"}}}
