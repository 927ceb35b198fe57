"""AWS Lambda entry point for Back Spasm Coach (template.yaml: Handler: app.handler).

Everything expensive happens once per container, here at import: content is read and
checked, the store's client is made, the skill is built. With SnapStart that import runs
once per published version and is snapshotted; the runtime hooks (spasm_coach/alexa/
snapstart.py) warm the first request's path before the snapshot and refresh what must
be fresh after each restore. Outside the Lambda runtime the hooks are not registered.

Environment:
  TABLE_NAME        DynamoDB table (set by template.yaml); without it, a local sqlite file
  BSC_LOCAL_STORE   path of that sqlite file (default .local/store.sqlite3 in the checkout)
  SKILL_ID          the Alexa skill id; requests for any other skill get no answer
  DATA_TTL_DAYS     days of inactivity after which a user's record expires (default 30)
  BSC_CONTENT_DIR   where content/ is, if not next to the code
"""

import os

from spasm_coach import content
from spasm_coach.alexa import snapstart
from spasm_coach.alexa.services import TimedApiClient
from spasm_coach.alexa.skill import SpasmCoach
from spasm_coach.storage import adapter_from_env

handler = SpasmCoach(
    content.load(),
    adapter_from_env(os.environ),
    api_client=TimedApiClient(),
    skill_id=os.environ.get("SKILL_ID"),
)
snapstart.register(handler)
