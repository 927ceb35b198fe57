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

When a Python matching the runtime is at hand (python3.12 on PATH, or $BSC_BUILD_PYTHON),
the package also gets bytecode (.pyc, unchecked-hash), which Lambda cannot write for
itself: measured here, that cuts a cold start's CPU time by about a third.

It refuses a package holding boto3/botocore (the Lambda runtime has them) or compiled
code built for another platform, and trims what the function never reads (see `trim`).
"""

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
            check_function_package(target, machine, version)
            compiled = compile_bytecode(target, version)
            print(f"{name}: Python {version} on {machine}, "
                  + ("with bytecode" if compiled else f"no bytecode (no python{version} here)"))
            properties["CodeUri"] = name
        elif resource["Type"] == "AWS::Serverless::LayerVersion":
            shutil.copytree(base / properties["ContentUri"], out / name, ignore=IGNORE)
            properties["ContentUri"] = name
    built = out / "template.yaml"
    built.write_text(yaml.safe_dump(template, sort_keys=False, width=100))
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
