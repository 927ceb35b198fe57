"""Build the deployment package the way `sam build` does, without needing a local Python
that matches the function's runtime (or Docker)::

    python -m devkit.package [--out .aws-sam/build]

It reads template.yaml and writes, in the layout `sam deploy` picks up:

  <out>/<Function>/      the function's CodeUri (lambda/) plus its dependencies from
                         lambda/requirements.txt, installed by pip for the function's
                         runtime and architecture (--platform, --python-version,
                         --only-binary), so the package is right on any build machine
  <out>/<Layer>/         each layer's ContentUri (content/), copied as it is
  <out>/template.yaml    template.yaml with CodeUri/ContentUri pointing at those folders
  <out>/package-layout.json  which folder is the function and which the layers (LAYOUT)

When a Python matching the runtime is at hand (python3.12 on PATH, or $BSC_BUILD_PYTHON),
the package also gets bytecode (.pyc, unchecked-hash), which Lambda cannot write for
itself: measured here, that cuts a cold start's CPU time by about a third.

It refuses a package holding boto3/botocore (the Lambda runtime has them) or compiled
code built for another platform, and trims what the function never reads (see `trim`).

Two steps make the package's cold start cheaper without changing what it does:
  - the DynamoDB client's data: a cut of the installed (pinned) botocore's data folder,
    written into spasm_coach/storage/botocore_data/ (devkit/botocore_data.py; the
    function's storage/botocore_loader.py reads it, or falls back to botocore's own);
  - the content check: the layer's content is checked at build time and its digest
    recorded in spasm_coach/content_checked.json, so the function skips re-checking
    that exact content at each cold start (spasm_coach/content.py);
  - lazy re-exports: an `__init__.py` of LAZY_PACKAGES that does nothing but re-export
    names from its submodules (`from .x import Y`, ask_sdk_model has 81 of them) is
    rewritten to import each submodule on first use (PEP 562 module `__getattr__`), so
    a LaunchRequest no longer imports some 160 model modules it never uses (`lazy_reexports`).
"""

import ast
import itertools

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from cfnlint.decode import cfn_yaml

from devkit import botocore_data

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "template.yaml"
DEFAULT_OUT = ROOT / ".aws-sam" / "build"
PLATFORMS = {"arm64": ("manylinux2014_aarch64", "aarch64"), "x86_64": ("manylinux2014_x86_64", "x86_64")}
PROVIDED_BY_LAMBDA = ("boto3", "botocore", "s3transfer", "jmespath")
# tzdata is only the fallback for a runtime without system time zone files. The skill is
# distributed in the US, Canada, the UK, Australia and India (skill.json
# distributionCountries), whose devices report zones under these names (America/Toronto,
# Europe/London, Australia/Sydney, Asia/Kolkata, ...); any other zone falls back to
# relative times ("in about 20 hours"). A "Region/City" entry keeps that zone alone.
TZDATA_KEPT = ("America", "Pacific", "US", "Canada", "Australia", "Etc", "UTC", "GMT",
               "Europe/London", "Asia/Kolkata", "Asia/Calcutta")
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache")
# Top-level packages whose pure re-export __init__.py files are made lazy. ask_sdk_model is
# the one that matters (its __init__ files import ~160 modules); the others are measured
# in the README ("Cold start") and gain little but cost nothing.
LAZY_PACKAGES = ("ask_sdk_model", "ask_sdk_model_runtime", "ask_sdk_core", "ask_sdk_runtime")
BOTOCORE_DATA = Path("spasm_coach") / "storage" / "botocore_data"
# <out>/package-layout.json: {"function": its folder, "layers": their folders}, for tools
# that run the built package as Lambda would (devkit/__init__.py, BSC_PACKAGE).
LAYOUT = "package-layout.json"


class PackageError(Exception):
    pass


def read_template(path=TEMPLATE):
    """template.yaml as plain JSON-like data, intrinsic functions in their long form."""
    return json.loads(json.dumps(cfn_yaml.load(str(path))))


def function_target(properties):
    """(pip platform tag, machine name, Python version) for a function's runtime and arch."""
    runtime = properties.get("Runtime", "")
    match = re.fullmatch(r"python(3\.\d+)", runtime)
    if not match:
        raise PackageError(f"runtime {runtime!r} is not a Python runtime")
    (architecture,) = properties.get("Architectures", ["x86_64"])
    platform, machine = PLATFORMS[architecture]
    return platform, machine, match.group(1)


def build(out=DEFAULT_OUT, template_path=TEMPLATE, pip=(sys.executable, "-m", "pip"), quiet=True):
    """Write the package; returns the path of the built template."""
    template = read_template(template_path)
    base = Path(template_path).parent
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    layout = {"function": None, "layers": []}
    for name, resource in template["Resources"].items():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::Serverless::Function":
            target = out / name
            shutil.copytree(base / properties["CodeUri"], target, ignore=IGNORE)
            platform, machine, version = function_target(properties)
            requirements = target / "requirements.txt"
            if requirements.exists():
                command = [*pip, "install", "--disable-pip-version-check", "--no-compile",
                           "--target", str(target), "--platform", platform, "--implementation", "cp",
                           "--python-version", version, "--only-binary=:all:", "-r", str(requirements)]
                if quiet:
                    command.append("--quiet")
                subprocess.run(command, check=True)
            for leftover in (target / "bin", *target.rglob("__pycache__")):
                shutil.rmtree(leftover, ignore_errors=True)
            trim(target)
            lazy_reexports(target)
            botocore_data.generate(target / BOTOCORE_DATA)
            check_function_package(target, machine, version)
            compiled = compile_bytecode(target, version)
            print(f"{name}: Python {version} on {machine}, "
                  + ("with bytecode" if compiled else f"no bytecode (no python{version} here)"))
            properties["CodeUri"] = name
            layout["function"] = name
        elif resource["Type"] == "AWS::Serverless::LayerVersion":
            shutil.copytree(base / properties["ContentUri"], out / name, ignore=IGNORE)
            properties["ContentUri"] = name
            layout["layers"].append(name)
    if layout["function"] and layout["layers"]:
        record_checked_content(out / layout["function"], [out / layer for layer in layout["layers"]])
    built = out / "template.yaml"
    built.write_text(yaml.safe_dump(template, sort_keys=False, width=100))
    (out / LAYOUT).write_text(json.dumps(layout) + "\n")
    return built


def trim(target):
    """Leave out what the function never reads: installers' metadata (*.dist-info),
    python-dateutil's own copy of the time zone database (ask-sdk uses dateutil only to
    parse timestamps; dateutil.tz falls back to that copy only in gettz(), which nothing
    here calls) and the time zones of tzdata that US devices do not use (TZDATA_KEPT)."""
    for metadata in target.glob("*.dist-info"):
        shutil.rmtree(metadata)
    (target / "dateutil" / "zoneinfo" / "dateutil-zoneinfo.tar.gz").unlink(missing_ok=True)
    zones = target / "tzdata" / "zoneinfo"
    if zones.is_dir():
        _keep_zones(zones, TZDATA_KEPT)


def _keep_zones(folder, kept, prefix=""):
    """Delete the zones under `folder` that `kept` does not name (a region, or one zone)."""
    for entry in folder.iterdir():
        name = prefix + entry.name
        if name in kept or entry.name.startswith("__"):
            continue
        if entry.is_dir() and any(zone.startswith(name + "/") for zone in kept):
            _keep_zones(entry, kept, name + "/")
        else:
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()


LAZY_HEADER = ("# Rewritten by devkit/package.py (lazy_reexports): the original imported every name in\n"
               "# _EXPORTS at once; this imports each one's submodule on first use (PEP 562).\n")
LAZY_BODY = '''
import importlib as _importlib

_EXPORTS = {exports!r}
_SUBMODULES = frozenset({submodules!r})
{all_line}

def __getattr__(name):
    if name in _EXPORTS:
        module, attribute = _EXPORTS[name]
        value = getattr(_importlib.import_module(module, __name__), attribute)
    elif name in _SUBMODULES:
        value = _importlib.import_module("." + name, __name__)
    else:
        raise AttributeError(f"module {{__name__!r}} has no attribute {{name!r}}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS) | _SUBMODULES)
'''


def reexports(source):
    """{name: (".module", attribute)} when `source` (an __init__.py) only re-exports names
    from its own submodules (besides a docstring, __future__ imports and constant
    assignments such as __all__ or __version__), else None."""
    exports, kept = {}, []
    for index, statement in enumerate(ast.parse(source).body):
        if index == 0 and isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            kept.append(statement)
        elif isinstance(statement, ast.ImportFrom) and statement.module == "__future__":
            continue
        elif (isinstance(statement, ast.ImportFrom) and statement.level == 1 and statement.module
              and all(alias.name != "*" for alias in statement.names)):
            for alias in statement.names:
                exports[alias.asname or alias.name] = ("." + statement.module, alias.name)
        elif isinstance(statement, ast.Assign) and all(isinstance(t, ast.Name) for t in statement.targets) \
                and _is_literal(statement.value):
            kept.append(statement)
        else:
            return None
    return (exports, kept) if exports else None


def _is_literal(node):
    try:
        ast.literal_eval(node)
    except ValueError:
        return False
    return True


def lazy_reexports(target, packages=LAZY_PACKAGES):
    """Rewrite the pure re-export __init__.py files of `packages` in `target`; returns
    how many. One whose exported name is also a submodule's name is left as it is (a
    later `import pkg.name` would rebind the attribute to the module)."""
    rewritten = 0
    for package in packages:
        for init in sorted((Path(target) / package).rglob("__init__.py")):
            source = init.read_text(encoding="utf-8")
            found = reexports(source)
            if not found:
                continue
            exports, kept = found
            folder = init.parent
            submodules = sorted({path.stem for path in folder.glob("*.py") if path.name != "__init__.py"}
                                | {path.parent.name for path in folder.glob("*/__init__.py")})
            if set(exports) & set(submodules):
                continue
            has_all = any(t.id == "__all__" for s in kept if isinstance(s, ast.Assign) for t in s.targets)
            body = LAZY_BODY.format(exports=exports, submodules=submodules,
                                    all_line="" if has_all else f"__all__ = {sorted(exports)!r}")
            notice = "".join(line + "\n" for line in itertools.takewhile(
                lambda line: line.startswith("#") or not line.strip(), source.splitlines()))
            init.write_text(notice + LAZY_HEADER + "".join(ast.unparse(s) + "\n" for s in kept) + body, encoding="utf-8")
            rewritten += 1
    return rewritten


def record_checked_content(function, layers):
    """Check the content the layer ships (the function's own check, spasm_coach/content.py,
    run here: a build with broken content fails) and record its digest in the function
    package, so the function need not check it again at every cold start."""
    import devkit  # noqa: F401  (the skill's code on the import path)
    from spasm_coach import content
    (folder,) = [layer for layer in layers if (layer / "rules.json").is_file()]
    record = {"sha256": content.checked_digest(folder)}
    (function / "spasm_coach" / content.CHECKED.name).write_text(json.dumps(record) + "\n")


def check_function_package(target, machine, version):
    problems = [f"{name}/ is in the package, but the Lambda runtime provides it"
                for name in PROVIDED_BY_LAMBDA if (target / name).exists()]
    tag = f"cpython-{version.replace('.', '')}"
    for library in target.rglob("*.so"):
        if machine not in library.name or tag not in library.name:
            problems.append(f"{library.relative_to(target)} is not built for {tag} on {machine}")
    if problems:
        raise PackageError("the package is wrong:\n  " + "\n  ".join(problems))


def matching_python(version):
    """An interpreter of exactly `version` ("3.12"), or None."""
    for candidate in (os.environ.get("BSC_BUILD_PYTHON"), shutil.which(f"python{version}")):
        if not candidate:
            continue
        try:
            found = subprocess.run([candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                                   capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            continue
        if found == version:
            return candidate
    return None


def compile_bytecode(target, version):
    """Write .pyc files for the runtime's Python; False when no such Python is here."""
    python = matching_python(version)
    if not python:
        return False
    subprocess.run([python, "-W", "ignore", "-m", "compileall", "-q", "-j", "0",
                    "--invalidation-mode", "unchecked-hash", str(target)], check=True,
                   stdout=subprocess.DEVNULL)
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description="Build the Lambda package as `sam build` would.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"default {DEFAULT_OUT.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    try:
        built = build(args.out)
    except (PackageError, subprocess.CalledProcessError) as error:
        print(f"package: {error}", file=sys.stderr)
        return 1
    size = sum(f.stat().st_size for f in built.parent.rglob("*") if f.is_file())
    print(f"built {built} ({size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
