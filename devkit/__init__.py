"""Developer tools around the skill: an Alexa stand-in, a console, the model generator.

The skill's code lives in lambda/ (as deployed); devkit puts it on the import path so
`python -m devkit.<tool>` works from the repository root.
"""

import sys
from pathlib import Path

LAMBDA_DIR = str(Path(__file__).resolve().parents[1] / "lambda")
if LAMBDA_DIR not in sys.path:
    sys.path.insert(0, LAMBDA_DIR)
