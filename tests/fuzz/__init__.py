"""Property-based tests over the Lambda handler with generated Alexa envelopes."""
