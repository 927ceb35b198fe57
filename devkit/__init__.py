"""Developer tools around the skill: an Alexa stand-in, a console, the model generator.

The skill's code lives in lambda/ (as deployed); devkit puts it on the import path so
`python -m devkit.<tool>` works from the repository root.

With BSC_PACKAGE set to a package built by `python -m devkit.package --out DIR` (as
`make test` does), the built function folder goes on the import path instead, ahead of
site-packages, so the code and libraries that run are the ones that ship (with the
build's lazy re-exports and botocore data), and the layer's folder becomes the content
directory (BSC_CONTENT_DIR), as Lambda extracts it to /opt.
"""

import json
import os
import sys
from pathlib import Path

LAMBDA_DIR = str(Path(__file__).resolve().parents[1] / "lambda")


def code_dir(environ=os.environ):
    """The folder the skill's code is imported from: the built package's function folder
    with $BSC_PACKAGE (and its layer as $BSC_CONTENT_DIR), else lambda/."""
    package = environ.get("BSC_PACKAGE")
    if not package:
        return LAMBDA_DIR
    package = Path(package).resolve()
    environ["BSC_PACKAGE"] = str(package)  # absolute, for child processes started elsewhere
    layout = json.loads((package / "package-layout.json").read_text())
    if layout["layers"]:
        (layer,) = layout["layers"]
        environ.setdefault("BSC_CONTENT_DIR", str(package / layer))
    return str(package / layout["function"])


CODE_DIR = code_dir()
if CODE_DIR not in sys.path:
    sys.path.insert(0, CODE_DIR)
