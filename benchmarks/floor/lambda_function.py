"""The benchmark's floor: what any ask-sdk skill on DynamoDB pays at a cold start and
nothing more. At import, ask-sdk-core's skill and one botocore DynamoDB client; on a
LaunchRequest, one GetItem and a spoken answer. No content, no rules, no logging.

Built by `make bench` the way ours is built (devkit/package.py's lazy re-exports and the
cut botocore data beside the copied spasm_coach/storage/botocore_loader.py), so the gap
between ours and this is our own code. Not part of the product. Environment: TABLE_NAME
(partition key user_key), AWS_REGION; the bench points botocore at DynamoDB Local with
AWS_ENDPOINT_URL_DYNAMODB.
"""

import hashlib
import os

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_core.utils import is_request_type
from botocore.config import Config

import botocore_loader

TABLE = os.environ["TABLE_NAME"]
client = botocore_loader.session().create_client(
    "dynamodb", region_name=os.environ["AWS_REGION"], api_version="2012-08-10",
    config=Config(connect_timeout=0.2, read_timeout=0.3, retries={"total_max_attempts": 2, "mode": "legacy"}))


class LaunchRequestHandler(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input):
        user = handler_input.request_envelope.context.system.user.user_id
        client.get_item(TableName=TABLE, Key={"user_key": {"S": hashlib.sha256(user.encode()).hexdigest()}},
                        ConsistentRead=True)
        speech = "Hello from the floor. Say anything."
        return handler_input.response_builder.speak(speech).ask(speech).response


builder = CustomSkillBuilder()
builder.add_request_handler(LaunchRequestHandler())
lambda_handler = builder.lambda_handler()
