"""The build step of `make deploy`, run for real (pip fetches the function's dependencies for
its runtime and architecture), though nothing can be deployed from here: the package has
what the function imports and nothing the Lambda runtime brings, content/ travels in the
layer, and the built package answers a request when the layer is where the template says
(BSC_CONTENT_DIR), with nothing but the package on the import path."""

import filecmp
import json
import subprocess
import sys

import pytest

from devkit import package
from tests.conftest import ROOT
from tests.template import TEMPLATE


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("build")
    package.build(out)
    return out


def test_the_function_folder_holds_the_code_and_its_dependencies(built):
    function = built / "SkillFunction"
    for name in ("app.py", "spasm_coach/content.py", "ask_sdk_core", "ask_sdk_model", "tzdata", "requests"):
        assert (function / name).exists(), name
    for name in package.PROVIDED_BY_LAMBDA:
        assert not (function / name).exists(), f"{name} comes with the Lambda runtime"


def test_compiled_code_is_for_the_functions_platform(built):
    libraries = list((built / "SkillFunction").rglob("*.so"))
    assert all("aarch64" in so.name and "cpython-312" in so.name for so in libraries), libraries


def test_the_package_check_refuses_what_does_not_belong(tmp_path):
    (tmp_path / "botocore").mkdir()
    (tmp_path / "speedups.cpython-312-x86_64-linux-gnu.so").touch()
    with pytest.raises(package.PackageError) as error:
        package.check_function_package(tmp_path, "aarch64", "3.12")
    assert "botocore" in str(error.value) and "speedups" in str(error.value)


def test_the_layer_is_content_as_it_is(built):
    comparison = filecmp.dircmp(ROOT / "content", built / "ContentLayer")
    assert not (comparison.left_only or comparison.right_only or comparison.diff_files)
    assert (built / "ContentLayer" / "rules.json").is_file()  # at the layer's root: /opt/rules.json


def test_the_built_template_points_at_the_built_folders_and_is_otherwise_the_same(built):
    source, result = package.read_template(TEMPLATE), package.read_template(built / "template.yaml")
    assert result["Resources"]["SkillFunction"]["Properties"]["CodeUri"] == "SkillFunction"
    assert result["Resources"]["ContentLayer"]["Properties"]["ContentUri"] == "ContentLayer"
    for name, key in (("SkillFunction", "CodeUri"), ("ContentLayer", "ContentUri")):
        source["Resources"][name]["Properties"][key] = result["Resources"][name]["Properties"][key]
    assert result == source


def test_the_built_package_answers_with_only_itself_and_its_layer(built, tmp_path):
    """As in Lambda: the function folder first on the path, content/ in the layer folder
    named by BSC_CONTENT_DIR (the template sets /opt), no site-packages (-S), no checkout."""
    event = (ROOT / "tests" / "events" / "launch.json").read_text()
    code = ("import json, sys; sys.path.insert(0, sys.argv[1]); import app; "
            "print(json.dumps(app.handler(json.loads(sys.argv[2]), None)))")
    env = {"BSC_CONTENT_DIR": str(built / "ContentLayer"), "BSC_LOCAL_STORE": str(tmp_path / "s.sqlite3"),
           "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-S", "-c", code, str(built / "SkillFunction"), event],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    speech = json.loads(result.stdout)["response"]["outputSpeech"]["ssml"]
    assert "not medical advice" in speech


def test_the_package_leaves_out_installer_metadata_and_unused_time_zone_data(built):
    function = built / "SkillFunction"
    assert not list(function.glob("*.dist-info"))
    assert not (function / "dateutil" / "zoneinfo" / "dateutil-zoneinfo.tar.gz").exists()
    zones = function / "tzdata" / "zoneinfo"
    for kept in ("America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
                 "America/Los_Angeles", "America/Anchorage", "America/Puerto_Rico",
                 "Pacific/Honolulu", "Pacific/Guam", "US/Eastern", "Etc/UTC", "UTC",
                 "America/Toronto", "America/Vancouver", "Europe/London", "Australia/Sydney",
                 "Australia/Perth", "Asia/Kolkata"):
        assert (zones / kept).is_file(), kept
    assert not (zones / "Africa").exists() and not (zones / "Europe" / "Paris").exists()
    assert not (zones / "Asia" / "Tokyo").exists()


def test_the_package_reads_time_zones_from_its_own_tzdata(built, tmp_path):
    """Where the runtime has no system zone files, the package's tzdata answers; a zone
    left out is not found (the skill then speaks relative times)."""
    code = ("import sys, zoneinfo; sys.path.insert(0, sys.argv[1]); zoneinfo.reset_tzpath([]); "
            "print(zoneinfo.ZoneInfo('America/Chicago').key); print(zoneinfo.ZoneInfo('Europe/London').key); "
            "exec('try:\\n zoneinfo.ZoneInfo(\"Africa/Lagos\")\\nexcept zoneinfo.ZoneInfoNotFoundError:\\n print(\"missing\")')")
    result = subprocess.run([sys.executable, "-S", "-c", code, str(built / "SkillFunction")],
                            cwd=tmp_path, env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["America/Chicago", "Europe/London", "missing"]
