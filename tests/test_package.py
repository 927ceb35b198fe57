"""The build step of `make deploy`, run for real (pip fetches the function's dependencies for
its runtime and architecture), though nothing can be deployed from here: the package has
what the function imports and nothing the Lambda runtime brings, content/ travels in the
layer, and the built package answers a request when the layer is where the template says
(BSC_CONTENT_DIR), with nothing but the package on the import path."""

import filecmp
import json
import subprocess
import sys
from pathlib import Path

import pytest

from devkit import package
from tests.conftest import HANG_S, ROOT
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
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=HANG_S)
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
                            cwd=tmp_path, env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=HANG_S)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["America/Chicago", "Europe/London", "missing"]


# --- the build's lazy re-exports (package.lazy_reexports) ---------------------------------

LAZY_CHECK = r"""
import ast, importlib, json, sys
sys.path.insert(0, sys.argv[1])
from ask_sdk_model import RequestEnvelope
loaded = len([m for m in sys.modules if m.startswith("ask_sdk_model")])
missing = []
for init, names in json.loads(sys.argv[2]).items():
    module = importlib.import_module(init)
    for name, source in names.items():
        value = getattr(module, name, None)
        if value is None or getattr(value, "__module__", source) != source:
            missing.append(f"{init}.{name}")
print(json.dumps({"loaded": loaded, "missing": missing, "request_envelope": RequestEnvelope.__module__}))
"""


def original_exports(package_name):
    """{package: {name: the module it comes from}} from the installed (eager) copy in
    .venv (found through its metadata, which the built package leaves out)."""
    from importlib.metadata import distribution
    root = Path(distribution(package_name.replace("_", "-")).locate_file(package_name))
    found = {}
    for init in root.rglob("__init__.py"):
        parsed = package.reexports(init.read_text())
        if parsed:
            dotted = ".".join((package_name, *init.parent.relative_to(root).parts))
            found[dotted] = {name: dotted + module for name, (module, _) in parsed[0].items()}
    return found


def test_the_packaged_ask_sdk_model_imports_a_model_module_only_when_it_is_used(built, tmp_path):
    exports = original_exports("ask_sdk_model")
    assert len(exports) > 60  # the installed copy re-exports in most of its __init__ files
    head = (built / "SkillFunction" / "ask_sdk_model" / "__init__.py").read_text()
    assert "def __getattr__" in head and "Copyright" in head  # lazy, the notice kept
    result = subprocess.run([sys.executable, "-S", "-c", LAZY_CHECK, str(built / "SkillFunction"), json.dumps(exports)],
                            cwd=tmp_path, env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=HANG_S)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["missing"] == []  # every name every __init__ exported is still there, the same object
    assert figures["request_envelope"] == "ask_sdk_model.request_envelope"
    assert figures["loaded"] <= 5  # the package and the one module used (the installed copy: 35)


def test_only_pure_re_exports_are_rewritten_and_names_that_are_also_modules_are_left(tmp_path):
    assert package.reexports('"""doc"""\nfrom __future__ import annotations\nfrom .a import A\n__all__ = ["A"]\n')
    assert package.reexports("from .a import A\nimport os\n") is None  # does something else too
    assert package.reexports("from .a import *\n") is None
    assert package.reexports("from ..a import A\n") is None
    pure = tmp_path / "pkg"
    pure.mkdir()
    (pure / "__init__.py").write_text("from .a import A\n")
    (pure / "a.py").write_text("A = 1\n")
    clash = tmp_path / "pkg" / "sub"
    clash.mkdir()
    (clash / "__init__.py").write_text("from .b import b\n")  # `b` is a module and a name
    (clash / "b.py").write_text("b = 2\n")
    assert package.lazy_reexports(tmp_path, packages=("pkg",)) == 1
    assert "__getattr__" in (pure / "__init__.py").read_text()
    assert (clash / "__init__.py").read_text() == "from .b import b\n"
    code = f"import sys; sys.path.insert(0, {str(tmp_path)!r}); import pkg; print(pkg.A, pkg.sub.b, 'a' in dir(pkg))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=HANG_S)
    assert result.stdout.split() == ["1", "2", "True"], result.stderr


def test_the_package_carries_the_cut_botocore_data_for_its_dynamodb_client(built):
    data = built / "SkillFunction" / package.BOTOCORE_DATA
    source = json.loads((data / "_source.json").read_text())
    import botocore
    assert source["botocore"] == botocore.__version__
    assert (data / "dynamodb" / "2012-08-10" / "service-2.json").is_file()


CONTENT_CHECK = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from spasm_coach import content
try:
    content.load(sys.argv[2])
    print(json.dumps({"loaded": True, "checked": "spasm_coach.schema_check" in sys.modules}))
except content.ContentError as error:
    print(json.dumps({"loaded": False, "problems": error.problems}))
"""


def load_in_package(built, layer, tmp_path):
    result = subprocess.run([sys.executable, "-S", "-c", CONTENT_CHECK, str(built / "SkillFunction"), str(layer)],
                            cwd=tmp_path, env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=HANG_S)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_content_the_build_checked_is_not_checked_again_and_any_other_content_is(built, tmp_path):
    assert load_in_package(built, built / "ContentLayer", tmp_path) == {"loaded": True, "checked": False}
    changed = tmp_path / "layer"
    import shutil
    shutil.copytree(built / "ContentLayer", changed)
    rules = json.loads((changed / "rules.json").read_text())
    rules["red_flags"][0]["source"] = "no-such-source"
    (changed / "rules.json").write_text(json.dumps(rules))
    outcome = load_in_package(built, changed, tmp_path)
    assert outcome["loaded"] is False and any("unknown source 'no-such-source'" in p for p in outcome["problems"])


def test_a_build_with_broken_content_fails(tmp_path):
    from spasm_coach import content
    broken = tmp_path / "content"
    import shutil
    shutil.copytree(ROOT / "content", broken)
    (broken / "locales" / "en-US.json").write_text("{}")
    with pytest.raises(content.ContentError):
        package.record_checked_content(tmp_path, [broken])
