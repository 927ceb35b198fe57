"""What the web service tests share besides fixtures (one module, however pytest imports
the conftest): the skill id they serve, and the figures printed at the end of the run."""

SKILL_ID = "amzn1.ask.skill.11111111-2222-3333-4444-555555555555"
MEASURED = []  # lines for the end of the run: measured, never asserted
