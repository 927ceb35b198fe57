"""Build step: cut botocore's data down to what the DynamoDB store needs::

    python -m devkit.botocore_data --out DIR

Writes DIR (the function package's spasm_coach/storage/botocore_data/, see
spasm_coach/storage/botocore_loader.py, which reads it) from the installed botocore, the
one pinned in requirements-dev.txt. Never edit the output by hand: it is made again by
every build (devkit/package.py) and compared with a default client's requests by
tests/test_botocore_data.py.

  dynamodb/<api>/service-2.json         the model: metadata, the operations the store
                                        calls (storage/dynamodb.py OPERATIONS) and the
                                        service's endpoint-discovery operation, the shapes
                                        they reach; no documentation
  dynamodb/<api>/endpoint-rule-set-1.json  DynamoDB's endpoint rule set, as it is
  partitions.json                       as it is
  endpoints.json                        every partition, with DynamoDB's entries only
  _retry.json                           the shared definitions, the default and DynamoDB's
  sdk-default-configuration.json        as it is
  _source.json                          the botocore version it was cut from, and what
"""

import argparse
import json
import shutil
import sys
from pathlib import Path

import botocore
from botocore.loaders import Loader

import devkit  # noqa: F401  (lambda/ on the import path)
from spasm_coach.storage.botocore_loader import SOURCE_FILE
from spasm_coach.storage.dynamodb import API_VERSION, OPERATIONS, SERVICE

AS_IS = ("partitions", "sdk-default-configuration")


def shapes_reached(shapes, names):
    """Every shape name reachable from `names` through member/key/value/members."""
    seen, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        shape = shapes[name]
        for key in ("member", "key", "value"):
            if key in shape:
                todo.append(shape[key]["shape"])
        todo += [member["shape"] for member in shape.get("members", {}).values()]
    return seen


def without_documentation(value):
    if isinstance(value, dict):
        return {k: without_documentation(v) for k, v in value.items() if k != "documentation"}
    if isinstance(value, list):
        return [without_documentation(v) for v in value]
    return value


def cut_model(model, operations=OPERATIONS):
    kept = {name: op for name, op in model["operations"].items()
            if name in operations or op.get("endpointoperation")}
    missing = set(operations) - set(kept)
    if missing:
        raise SystemExit(f"botocore_data: {SERVICE} has no operation {sorted(missing)}")
    roots = []
    for op in kept.values():
        roots += [op[part]["shape"] for part in ("input", "output") if part in op]
        roots += [error["shape"] for error in op.get("errors", [])]
    shapes = shapes_reached(model["shapes"], roots)
    cut = {key: value for key, value in model.items() if key not in ("operations", "shapes", "documentation")}
    cut["operations"] = kept
    cut["shapes"] = {name: model["shapes"][name] for name in sorted(shapes)}
    return without_documentation(cut)


def cut_endpoints(endpoints):
    partitions = []
    for partition in endpoints["partitions"]:
        services = partition.get("services", {})
        partitions.append({**partition, "services": {SERVICE: services[SERVICE]} if SERVICE in services else {}})
    return {**endpoints, "partitions": partitions}


def cut_retry(retry):
    return {**retry, "retry": {k: v for k, v in retry["retry"].items() if k in ("__default__", SERVICE)}}


def generate(out):
    """Write the folder; returns {relative path: bytes written}."""
    loader = Loader()  # botocore's own, default search paths: the source
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    files = {
        f"{SERVICE}/{API_VERSION}/service-2.json":
            cut_model(loader.load_data(f"{SERVICE}/{API_VERSION}/service-2")),
        f"{SERVICE}/{API_VERSION}/endpoint-rule-set-1.json":
            loader.load_data(f"{SERVICE}/{API_VERSION}/endpoint-rule-set-1"),
        "endpoints.json": cut_endpoints(loader.load_data("endpoints")),
        "_retry.json": cut_retry(loader.load_data("_retry")),
        **{f"{name}.json": loader.load_data(name) for name in AS_IS},
        SOURCE_FILE: {"botocore": botocore.__version__, "service": SERVICE, "api_version": API_VERSION,
                      "operations": list(OPERATIONS),
                      "made_by": "python -m devkit.botocore_data (never edit by hand)"},
    }
    written = {}
    for relative, data in files.items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(data, separators=(",", ":"))
        path.write_text(text, encoding="utf-8")
        written[relative] = len(text)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    written = generate(args.out)
    print(f"botocore {botocore.__version__}: {sum(written.values()) / 1e3:.0f} kB in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
