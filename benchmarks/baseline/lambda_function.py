"""The benchmark's baseline: a minimal Alexa skill written the way the official ask-sdk
Python samples write one (one module, handler classes, ask-sdk-core's CustomSkillBuilder
with ask-sdk-dynamodb-persistence-adapter's DynamoDbAdapter over a boto3 resource made
at import time). It keeps one counter per user: opening the skill counts a visit, and
"count" adds one and says the total, so every turn reads and writes the user's item.

Not part of the product: `make bench` builds it into a Lambda package beside ours and
measures both the same way. Environment, as an Alexa-hosted skill gets it:
  DYNAMODB_PERSISTENCE_TABLE_NAME   the table (partition key "id", a string)
  DYNAMODB_PERSISTENCE_REGION       its region
The bench points boto3 at DynamoDB Local with AWS_ENDPOINT_URL_DYNAMODB, so this file
has nothing of its own for that.
"""

import logging
import os

import boto3
import ask_sdk_core.utils as ask_utils
from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_dynamodb.adapter import DynamoDbAdapter

logger = logging.getLogger(__name__)
logger.setLevel(logging.INFO)

ddb_region = os.environ.get("DYNAMODB_PERSISTENCE_REGION")
ddb_table_name = os.environ.get("DYNAMODB_PERSISTENCE_TABLE_NAME")
ddb_resource = boto3.resource("dynamodb", region_name=ddb_region)
dynamodb_adapter = DynamoDbAdapter(table_name=ddb_table_name, create_table=False,
                                   dynamodb_resource=ddb_resource)


class LaunchRequestHandler(AbstractRequestHandler):
    """Opening the skill: counts the visit and offers to count."""

    def can_handle(self, handler_input):
        return ask_utils.is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input):
        attributes = handler_input.attributes_manager.persistent_attributes
        attributes["visits"] = int(attributes.get("visits", 0)) + 1
        handler_input.attributes_manager.save_persistent_attributes()
        speak_output = "Welcome to the counter. Say count to add one."
        return handler_input.response_builder.speak(speak_output).ask(speak_output).response


class CountIntentHandler(AbstractRequestHandler):
    """"Count": adds one to the user's counter and says it."""

    def can_handle(self, handler_input):
        return ask_utils.is_intent_name("CountIntent")(handler_input)

    def handle(self, handler_input):
        attributes = handler_input.attributes_manager.persistent_attributes
        attributes["counter"] = int(attributes.get("counter", 0)) + 1
        handler_input.attributes_manager.save_persistent_attributes()
        speak_output = f"The count is {attributes['counter']}. Say count again to add one."
        return handler_input.response_builder.speak(speak_output).ask(speak_output).response


class SessionEndedRequestHandler(AbstractRequestHandler):
    """The session ended: nothing to say."""

    def can_handle(self, handler_input):
        return ask_utils.is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input):
        return handler_input.response_builder.response


class CatchAllExceptionHandler(AbstractExceptionHandler):
    """Anything that went wrong: log it and apologise."""

    def can_handle(self, handler_input, exception):
        return True

    def handle(self, handler_input, exception):
        logger.error(exception, exc_info=True)
        speak_output = "Sorry, I had trouble doing what you asked. Please try again."
        return handler_input.response_builder.speak(speak_output).ask(speak_output).response


sb = CustomSkillBuilder(persistence_adapter=dynamodb_adapter)
sb.add_request_handler(LaunchRequestHandler())
sb.add_request_handler(CountIntentHandler())
sb.add_request_handler(SessionEndedRequestHandler())
sb.add_exception_handler(CatchAllExceptionHandler())

lambda_handler = sb.lambda_handler()
