"""SnapStart's runtime hooks (spasm_coach/alexa/snapstart.py): before the snapshot the
first request's path is walked with no network and nothing logged about it, then every
pooled connection is closed; after a restore the skill answers as before. Outside the
Lambda runtime (no snapshot_restore_py) nothing is registered."""

import json
import logging
import socket
import sys
import threading
import types
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from devkit.dynamodb_local import FAKE_AWS
from spasm_coach.alexa import snapstart
from spasm_coach.alexa.services import TimedApiClient
from spasm_coach.alexa.skill import SpasmCoach
from spasm_coach.storage import RecordAdapter
from spasm_coach.storage.dynamodb import DynamoDbStore

SKILL = "amzn1.ask.skill.snapstart-test"


@pytest.fixture
def aws(monkeypatch):
    for name, value in FAKE_AWS.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def listener():
    """A TCP port that counts the connections made to it (and answers none)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server
    server.close()


def connections(server):
    count = 0
    while True:
        try:
            conn, _ = server.accept()
        except BlockingIOError:
            return count
        conn.close()
        count += 1


def coach(content, endpoint):
    store = DynamoDbStore("bsc-snapstart", endpoint_url=endpoint)
    return SpasmCoach(content, RecordAdapter(store, ttl_days=30), api_client=TimedApiClient(), skill_id=SKILL)


def test_before_the_snapshot_the_first_request_path_runs_with_no_network_and_no_line_about_it(
        content, aws, listener, caplog):
    handler = coach(content, f"http://127.0.0.1:{listener.getsockname()[1]}")
    calls = []
    handler.adapter.store.client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))
    caplog.set_level(logging.INFO, logger="spasm_coach")
    caplog.clear()  # (a checkout without the package's botocore data says so once, above)
    snapstart.before_snapshot(handler)
    assert "GetItem" in calls  # the launch read the (stubbed) store: built, signed, parsed
    assert connections(listener) == 0
    lines = [json.loads(r.getMessage()) for r in caplog.records]
    assert [(line["event"], line["outcome"]) for line in lines] == [("snapshot", "ready")]
    assert "user" not in lines[0]
    assert "ask_sdk_model.launch_request" in sys.modules and "requests" in sys.modules


def test_the_red_flag_patterns_a_launch_does_not_need_are_compiled_into_the_snapshot(aws, listener):
    from spasm_coach import content as content_module
    fresh = content_module.load()
    assert not any("mentions" in vars(flag) for flag in fresh.red_flags.values())  # not at load: on first use
    snapstart.before_snapshot(coach(fresh, f"http://127.0.0.1:{listener.getsockname()[1]}"))
    assert all("mentions" in vars(flag) and flag.mentions for flag in fresh.red_flags.values())


def test_after_the_hooks_the_store_is_reached_for_real_again(content, aws, listener):
    handler = coach(content, f"http://127.0.0.1:{listener.getsockname()[1]}")
    snapstart.before_snapshot(handler)
    snapstart.after_restore(handler)
    with pytest.raises(Exception):
        handler.adapter.store.client.get_item(TableName="t", Key={"user_key": {"S": "k"}})  # no answer: times out
    assert connections(listener) >= 1  # the stub is gone: it went to the network


class _Answer(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        body = b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_pooled_connections_are_closed_before_the_snapshot_and_after_a_restore(content, aws):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        handler = coach(content, f"http://127.0.0.1:{server.server_address[1]}")
        manager = handler.adapter.store.client._endpoint.http_session._manager
        handler.adapter.store.client.get_item(TableName="t", Key={"user_key": {"S": "k"}})
        assert len(manager.pools) == 1
        snapstart.before_snapshot(handler)
        assert len(manager.pools) == 0
        handler.adapter.store.client.get_item(TableName="t", Key={"user_key": {"S": "k"}})
        snapstart.after_restore(handler)
        assert len(manager.pools) == 0
    finally:
        server.shutdown()
        server.server_close()


def test_the_hooks_are_registered_only_where_the_runtime_offers_them(content, monkeypatch):
    handler = SpasmCoach(content, RecordAdapter(None, ttl_days=30))
    monkeypatch.delitem(sys.modules, "snapshot_restore_py", raising=False)
    assert snapstart.register(handler) is False
    registered = {}
    fake = types.ModuleType("snapshot_restore_py")
    fake.register_before_snapshot = lambda hook: registered.setdefault("before", hook)
    fake.register_after_restore = lambda hook: registered.setdefault("after", hook)
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", fake)
    assert snapstart.register(handler) is True
    assert set(registered) == {"before", "after"}
    registered["before"](), registered["after"]()  # a store without a client: nothing to warm, no error
