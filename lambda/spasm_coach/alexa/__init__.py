"""The Alexa room: ask-sdk handlers, the per-turn context, and the skill's entry point.
Handlers read the request, call the rules, and answer through `Turn.respond`."""
