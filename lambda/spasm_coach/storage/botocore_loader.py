"""A botocore session that reads only the data the DynamoDB store needs.

botocore's default data loader makes a new client by scanning its whole data tree
(hundreds of folders), parsing the 1.25 MB endpoints.json of every service and the
gzipped DynamoDB model with all 60-odd operations: most of the ~80 ms `create_client`
costs. The package ships instead a small folder, `botocore_data/` next to this file,
written by a build step (devkit/botocore_data.py, run by devkit/package.py) from the
pinned botocore's own files: the DynamoDB model cut to the operations the store calls,
DynamoDB's endpoint rule set, the partitions, endpoints.json with DynamoDB's entries
only, the retry and default configuration. The loader reads that folder and nothing
else (no ~/.aws/models, no botocore/data).

The folder records the botocore version it was cut from. If the installed botocore is a
different version (the Lambda runtime's own, when it no longer matches the pin), or the
folder is missing (a checkout that was not built), the session keeps botocore's default
loader and one log line says so: the function works the same, only its first client
costs what it costs without this.
"""

import json
import os

import botocore
import botocore.session
from botocore.loaders import Loader

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "botocore_data")
SOURCE_FILE = "_source.json"   # {"botocore": version it was cut from, "service", "operations"}

_fallback_logged = []


class RestrictedLoader(Loader):
    """botocore's Loader over one folder only. The folder is a cut of botocore's built-in
    data, and botocore treats it as such: with data from anywhere else it would feed the
    legacy endpoint into DynamoDB's rule set (args.py, resolver_uses_builtin_data), and
    FIPS and account-based endpoints would come out differently."""

    def __init__(self, folder):
        self.folder = os.path.abspath(folder)
        super().__init__(extra_search_paths=[self.folder], include_default_search_paths=False)

    def is_builtin_path(self, path):
        path = os.path.abspath(os.path.expanduser(os.path.expandvars(path)))
        return path.startswith(self.folder + os.sep) or super().is_builtin_path(path)


def restricted_loader(folder=None):
    """(RestrictedLoader, None), or (None, why not): "missing" or "version"."""
    folder = folder or DATA_DIR
    try:
        with open(os.path.join(folder, SOURCE_FILE), encoding="utf-8") as source_file:
            source = json.load(source_file)
    except (OSError, ValueError):
        return None, "missing"
    if source.get("botocore") != botocore.__version__:
        return None, "version"
    return RestrictedLoader(folder), None


def session(folder=None):
    """A new botocore session whose data loader is the restricted one when its data
    matches the installed botocore; otherwise botocore's default, with one log line."""
    new = botocore.session.get_session()
    loader, reason = restricted_loader(folder)
    if loader is not None:
        new.register_component("data_loader", loader)
    elif not _fallback_logged:
        _fallback_logged.append(reason)
        from ..alexa import log
        log.warning(event="botocore_data", outcome="default_loader", reason=reason)
    return new
