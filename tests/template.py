"""template.yaml as data, for tests that build infrastructure from it (so the tests and
the deployed table cannot drift apart)."""

from pathlib import Path

import yaml

TEMPLATE = Path(__file__).resolve().parents[1] / "template.yaml"


class _CfnLoader(yaml.SafeLoader):
    """Reads CloudFormation short-form tags (!Ref, !GetAtt, !Sub ...) as plain values."""


def _tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {f"Fn::{suffix}" if suffix not in ("Ref", "Condition") else suffix: value}


_CfnLoader.add_multi_constructor("!", _tag)


def load_template():
    return yaml.load(TEMPLATE.read_text(), Loader=_CfnLoader)


def table_definition():
    """The DynamoDB table resource's properties, as CreateTable arguments."""
    resources = load_template()["Resources"]
    (props,) = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::DynamoDB::Table"]
    create = {k: props[k] for k in ("AttributeDefinitions", "KeySchema", "BillingMode")}
    return create, props.get("TimeToLiveSpecification")
