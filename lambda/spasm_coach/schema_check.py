"""Checks a JSON document against the small part of JSON Schema our content schemas use.

The full `jsonschema` package costs about 50 ms to import, which a Lambda cold start would
pay on every new container. Our schemas (content/schema/*.json) only use the keywords
listed in SUPPORTED, so this checker covers them in a few lines; the tests run the real
`jsonschema` over the same files and assert both agree, and assert the schemas use no
other keyword.
"""

import re

ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "title", "description"})
SUPPORTED = frozenset({
    "type", "properties", "required", "additionalProperties", "items", "enum",
    "pattern", "minLength", "maxLength", "minItems", "minProperties",
    "minimum", "maximum", "$ref", "$defs",
}) | ANNOTATIONS

_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def problems(document, schema):
    """Every place where `document` breaks `schema`, as 'path: what is wrong' strings."""
    found = []
    _check(document, schema, schema, "$", found)
    return found


def _resolve(ref, root):
    if not ref.startswith("#/"):
        raise ValueError(f"only local $ref is supported, not {ref!r}")
    node = root
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def _check(value, schema, root, path, found):
    if "$ref" in schema:
        _check(value, _resolve(schema["$ref"], root), root, path, found)
    expected = schema.get("type")
    if expected and not _TYPES[expected](value):
        found.append(f"{path}: should be {expected}, is {type(value).__name__}")
        return
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{path}: {value!r} is not one of {schema['enum']}")
    if isinstance(value, str):
        _check_string(value, schema, path, found)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            found.append(f"{path}: {value} is below {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            found.append(f"{path}: {value} is above {schema['maximum']}")
    elif isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            found.append(f"{path}: needs at least {schema['minItems']} items")
        if "items" in schema:
            for index, item in enumerate(value):
                _check(item, schema["items"], root, f"{path}[{index}]", found)
    elif isinstance(value, dict):
        _check_object(value, schema, root, path, found)


def _check_string(value, schema, path, found):
    if len(value) < schema.get("minLength", 0):
        found.append(f"{path}: shorter than {schema['minLength']} characters")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        found.append(f"{path}: longer than {schema['maxLength']} characters")
    if "pattern" in schema and not re.search(schema["pattern"], value):
        found.append(f"{path}: {value!r} does not match {schema['pattern']}")


def _check_object(value, schema, root, path, found):
    if len(value) < schema.get("minProperties", 0):
        found.append(f"{path}: needs at least {schema['minProperties']} entries")
    for name in schema.get("required", ()):
        if name not in value:
            found.append(f"{path}: missing {name!r}")
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    for name, item in value.items():
        if name in properties:
            _check(item, properties[name], root, f"{path}.{name}", found)
        elif extra is False:
            found.append(f"{path}: unexpected {name!r}")
        elif isinstance(extra, dict):
            _check(item, extra, root, f"{path}.{name}", found)
