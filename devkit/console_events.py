"""Copies of tests/events/*.json for the Alexa developer console's Manual JSON input, made
out to your skill: the deployed function answers only requests whose applicationId is its
own skill id (SKILL_ID), and the files carry a placeholder one.

    python -m devkit.console_events amzn1.ask.skill.<your id>    # -> .local/console-events/
"""

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "tests" / "events"
OUT = ROOT / ".local" / "console-events"
SKILL_ID = re.compile(r"amzn1\.ask\.skill\.[0-9a-fA-F-]+")


def application_ids(event):
    if isinstance(event, dict):
        found = {event["applicationId"]} if isinstance(event.get("applicationId"), str) else set()
        return found.union(*(application_ids(v) for v in event.values()))
    if isinstance(event, list):
        return set().union(*(application_ids(item) for item in event))
    return set()


def made_out_to(event, skill_id):
    """The event with its skill id replaced by `skill_id` wherever it appears (the
    applicationId fields, and entity resolution's authority names)."""
    text = json.dumps(event, indent=2)
    for old in application_ids(event):
        text = text.replace(old, skill_id)
    return text + "\n"


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or not SKILL_ID.fullmatch(args[0]):
        print(__doc__, file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    for path in sorted(EVENTS.glob("*.json")):
        (OUT / path.name).write_text(made_out_to(json.loads(path.read_text()), args[0]))
    print(f"wrote {len(list(EVENTS.glob('*.json')))} envelopes to {OUT}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
