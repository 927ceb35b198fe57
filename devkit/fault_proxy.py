"""A fault-injecting HTTP proxy on loopback, for tests and measurements: it sits between
the skill and DynamoDB Local (or devkit.alexa_apis, the HTTPS Alexa API stand-in) and
misbehaves in one chosen way at a time.

    proxy = FaultProxy(("127.0.0.1", db.port)).start()      # plain HTTP, DynamoDB flavour
    os.environ["DYNAMODB_ENDPOINT"] = proxy.endpoint
    proxy.set_mode("throughput")                          # every request now throttled

    proxy = FaultProxy.for_alexa_apis(apis).start()        # HTTPS, Alexa API flavour
    caller.api_endpoint = proxy.endpoint

Modes (`MODES`):

  pass        requests and answers go through untouched
  refuse      nothing listens on the port: connecting is refused at once
  blackhole   connecting hangs (the listen queue is full and the kernel drops the SYN),
              so only the client's connect timeout ends it
  close       the request is read, then the connection closed without a byte of answer
  slow        the request goes through, the answer is held back for `delay` seconds
              (beyond any sane read timeout): the store or API may well have done the work
  lost        answer lost: the request goes through and is carried out (the proxy reads
              the whole answer), but the answer never arrives: the connection is closed
              without it, at once or, with `set_mode(..., hold=s)`, after holding it up to
              s seconds (until the client gives up or the mode changes). The client cannot
              tell a write that was applied from one that was not, and sends it again
  reset       half of the real answer is sent, then the connection is reset (TCP RST)
  500         an HTTP 500 in the upstream's own error format
  throughput  DynamoDB: HTTP 400 ProvisionedThroughputExceededException
  throttling  DynamoDB: HTTP 400 ThrottlingException; Alexa APIs: HTTP 429

`set_mode(mode, only=proxy.writes)` limits a mode to the requests that change something
(DynamoDB: PutItem, UpdateItem, DeleteItem; Alexa APIs: POST, PUT, DELETE); the others
pass. The proxy speaks HTTP/1.1 with keep-alive and applies the mode in force when each request
arrives; `set_mode` also drops the open connections, so a pooled connection cannot carry
a request past a change. For HTTPS it terminates TLS with a certificate from the
stand-in's own throwaway authority (which the skill's `requests` already trusts in tests)
and speaks TLS to the stand-in, so every mode works the same over HTTPS.

`seen` counts the requests that reached the proxy in each mode (connections for `close`
before a request arrived are not counted), so tests can check how many attempts a client
made (`operations`: the same by operation); `withheld` counts the answers "lost" kept back
(`wait_withheld` waits for them). A request is counted when the proxy reads it, which on a
busy machine can be after its client gave up: count what a turn did by operations only it
makes.
"""

import json
import socket
import ssl
import struct
import threading
import time
from collections import Counter

MODES = ("pass", "refuse", "blackhole", "close", "slow", "lost", "reset", "500", "throughput", "throttling")
ERROR_MODES = ("500", "throughput", "throttling")

# (status, reason, content type, body) of the errors each flavour of upstream answers.
ERRORS = {
    "dynamodb": {
        "500": (500, "Internal Server Error", "application/x-amz-json-1.0", {
            "__type": "com.amazonaws.dynamodb.v20120810#InternalServerError",
            "message": "Internal server error (injected by devkit.fault_proxy)"}),
        "throughput": (400, "Bad Request", "application/x-amz-json-1.0", {
            "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
            "message": "The level of configured provisioned throughput for the table was exceeded. "
                       "(injected by devkit.fault_proxy)"}),
        "throttling": (400, "Bad Request", "application/x-amz-json-1.0", {
            "__type": "com.amazon.coral.availability#ThrottlingException",
            "message": "Rate of requests exceeds the allowed throughput. (injected by devkit.fault_proxy)"}),
    },
    "alexa": {
        "500": (500, "Internal Server Error", "application/json", {
            "code": "INTERNAL_SERVER_ERROR", "message": "injected by devkit.fault_proxy"}),
        "throttling": (429, "Too Many Requests", "application/json", {
            "code": "TOO_MANY_REQUEST", "message": "injected by devkit.fault_proxy"}),
    },
}

# What a request does, as `only` names it: DynamoDB's action (X-Amz-Target), or the method.
WRITES = {"dynamodb": ("PutItem", "UpdateItem", "DeleteItem"), "alexa": ("POST", "PUT", "DELETE")}

IO_TIMEOUT_S = 30  # a stuck peer never keeps a proxy thread forever


class FaultProxy:
    def __init__(self, upstream, flavour="dynamodb", tls=None, delay=5.0):
        """`upstream` is (host, port); `tls` is (server context for the skill's side,
        client context for the upstream's side), or None for plain HTTP."""
        if flavour not in ERRORS:
            raise ValueError(f"unknown flavour {flavour!r}")
        self.upstream = upstream
        self.flavour = flavour
        self.tls = tls
        self.delay = delay
        self.mode = "pass"
        self._plan = None  # (requests still to pass, requests still to fault), or None: all
        self._only = None  # the operations the mode applies to, or None: all
        self._hold = 0.0  # how long "lost" holds an answer back before dropping it
        self.seen = Counter()
        self.operations = Counter()  # the same requests by operation (as `only` names them)
        self.withheld = 0  # answers the upstream gave that mode "lost" kept from the client
        self.port = None
        self._listener = None
        self._blackhole_filler = None
        self._connections = set()
        self._lock = threading.Lock()
        self._counted = threading.Condition(self._lock)  # notified when `seen` grows
        self._stopped = threading.Event()
        self._changed = threading.Event()

    @classmethod
    def for_alexa_apis(cls, apis, delay=5.0):
        """A proxy in front of a started devkit.alexa_apis.LocalAlexaApis, speaking HTTPS
        with a certificate from the stand-in's authority on both sides."""
        server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        apis.authority.issue_cert("127.0.0.1", "localhost").configure_cert(server_side)
        upstream_side = ssl.create_default_context(cafile=str(apis.ca_path))
        host, port = apis.endpoint.rsplit("/", 1)[-1].rsplit(":", 1)
        return cls((host, int(port)), flavour="alexa", tls=(server_side, upstream_side), delay=delay)

    @property
    def modes(self):
        return tuple(m for m in MODES if m not in ERROR_MODES or m in ERRORS[self.flavour])

    @property
    def writes(self):
        """The operations that change something upstream (for `set_mode(only=...)`)."""
        return WRITES[self.flavour]

    @property
    def endpoint(self):
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    # --- lifecycle -----------------------------------------------------------------------

    def start(self):
        self._listener = _listen(0, backlog=64)
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept_loop, name="fault-proxy-accept", daemon=True).start()
        return self

    def stop(self):
        self._stopped.set()
        with self._lock:
            self._changed.set()
            self._drop_connections()
            self._close_listener()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def set_mode(self, mode, times=None, skip=0, only=None, hold=0.0):
        """Misbehave in `mode` from now on (see MODES); open connections are dropped. With
        `times`, only that many requests get the fault (after `skip` requests that pass),
        then everything passes again: a transient failure. With `only` (operation names,
        e.g. `self.writes`), only those requests get the fault and count for `times` and
        `skip`; the others pass. (`times`, `skip` and `only` look at requests, so they suit
        the modes that let a connection be made.) `hold`: see mode "lost"."""
        if mode not in self.modes:
            raise ValueError(f"{mode!r} is not a mode of a {self.flavour} proxy: {self.modes}")
        with self._lock:
            self._plan = (skip, times) if times is not None else None
            self._only = frozenset(only) if only is not None else None
            self._hold = hold
            previous, self.mode = self.mode, mode
            self._changed.set()
            self._changed = threading.Event()
            self._drop_connections()
            listening = {"refuse": None, "blackhole": "blackhole"}
            if listening.get(previous, "serve") != listening.get(mode, "serve"):
                self._close_listener()
                if mode == "blackhole":
                    self._listener = _listen(self.port, backlog=0)
                    # Fill the one-place listen queue ourselves: the kernel then drops
                    # every further SYN and the client's connect() hangs.
                    self._blackhole_filler = socket.create_connection(("127.0.0.1", self.port))
                elif mode != "refuse":
                    self._listener = _listen(self.port, backlog=64)

    def wait_withheld(self, count=1, timeout=60):
        """Wait until `count` answers were withheld in mode "lost" (so the upstream carried
        those requests out); False if that did not happen within `timeout` seconds."""
        with self._counted:
            return self._counted.wait_for(lambda: self.withheld >= count, timeout)

    # --- serving -------------------------------------------------------------------------

    def _accept_loop(self):
        import select
        while not self._stopped.is_set():
            listener = self._listener
            if listener is None or self.mode == "blackhole":
                time.sleep(0.02)
                continue
            try:
                ready, _, _ = select.select([listener], [], [], 0.05)
                if not ready or listener is not self._listener:
                    continue
                connection, _ = listener.accept()
            except (OSError, ValueError):  # the listener was closed under us by set_mode
                continue
            with self._lock:
                self._connections.add(connection)
            threading.Thread(target=self._serve, args=(connection,), name="fault-proxy-conn",
                             daemon=True).start()

    def _serve(self, client):
        upstream = None
        try:
            client.settimeout(IO_TIMEOUT_S)
            if self.tls:
                plain, client = client, self.tls[0].wrap_socket(client, server_side=True)
                with self._lock:  # wrapping took over the socket: track the TLS one
                    self._connections.discard(plain)
                    self._connections.add(client)
            from_client = _MessageReader(client)
            from_upstream = None
            while not self._stopped.is_set():
                request = from_client.read(is_response=False)
                if request is None:
                    return
                operation = self._operation(request)
                with self._lock:
                    mode, changed = self._next_mode(operation), self._changed
                    self.seen[mode] += 1
                    self.operations[operation] += 1
                if mode in ("close", "refuse", "blackhole"):
                    return
                if mode in ERROR_MODES:
                    client.sendall(self._error(mode))
                    continue
                if upstream is None:
                    upstream = self._connect_upstream()
                    from_upstream = _MessageReader(upstream)
                upstream.sendall(request)
                answer = from_upstream.read(is_response=True)
                if answer is None:
                    return
                if mode == "slow" and (changed.wait(self.delay) or self._stopped.is_set()):
                    return
                if mode == "lost":
                    with self._lock:
                        self.withheld += 1
                        self._counted.notify_all()
                        hold = self._hold
                    self._until_hung_up(client, changed, hold)
                    return
                if mode == "reset":
                    client.sendall(answer[: len(answer) // 2])
                    _reset(client)
                    return
                client.sendall(answer)
        except (OSError, ValueError):
            return  # the skill gave up, the mode changed, or the upstream went away
        finally:
            for sock in (client, upstream):
                if sock is not None:
                    try:
                        sock.close()
                    except OSError:
                        pass
            with self._lock:
                self._connections.discard(client)

    def _until_hung_up(self, client, changed, seconds):
        """Wait until the client closes the connection (it gave up waiting), the mode
        changes, the proxy stops, or `seconds` pass."""
        import select
        ends = time.monotonic() + seconds
        while not (changed.is_set() or self._stopped.is_set()) and time.monotonic() < ends:
            readable, _, _ = select.select([client], [], [], 0.05)
            if readable and not client.recv(1):
                return

    def _operation(self, request):
        """What `request` does, as `only` names it."""
        head = request.split(b"\r\n\r\n", 1)[0].decode("latin-1")
        if self.flavour == "alexa":
            return head.split(" ", 1)[0]
        for line in head.split("\r\n")[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "x-amz-target":
                return value.strip().rsplit(".", 1)[-1]
        return None

    def _next_mode(self, operation=None):
        """The mode for the request arriving now, doing `operation` (called under the lock)."""
        if self._only is not None and operation not in self._only:
            return "pass"
        if self._plan is None:
            return self.mode
        skip, times = self._plan
        if skip > 0:
            self._plan = (skip - 1, times)
            return "pass"
        if times > 0:
            self._plan = (0, times - 1)
            return self.mode
        return "pass"

    def _connect_upstream(self):
        sock = socket.create_connection(self.upstream, timeout=IO_TIMEOUT_S)
        if self.tls:
            sock = self.tls[1].wrap_socket(sock, server_hostname=self.upstream[0])
        return sock

    def _error(self, mode):
        status, reason, content_type, body = ERRORS[self.flavour][mode]
        data = json.dumps(body).encode()
        head = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n"
                f"x-amzn-RequestId: injected-{mode}\r\nContent-Length: {len(data)}\r\n\r\n")
        return head.encode() + data

    def _drop_connections(self):
        for connection in list(self._connections):
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._connections.clear()

    def _close_listener(self):
        for sock in (self._listener, self._blackhole_filler):
            if sock is not None:
                sock.close()
        self._listener = self._blackhole_filler = None


class _MessageReader:
    """Reads whole HTTP/1.1 messages (head and body) from a socket, as bytes."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def read(self, is_response):
        """The next message, or None when the peer closed the connection between messages."""
        while b"\r\n\r\n" not in self.buffer:
            if not self._fill():
                return None
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        headers = {}
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        body = b""
        if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            body = self._chunked()
        elif b"content-length" in headers:
            body = self._exactly(int(headers[b"content-length"]))
        elif is_response:  # no length: the body runs to the end of the connection
            while self._fill():
                pass
            body, self.buffer = self.buffer, b""
        return head + b"\r\n\r\n" + body

    def _chunked(self):
        body = b""
        while True:
            while b"\r\n" not in self.buffer:
                if not self._fill():
                    raise ValueError("connection closed inside a chunked body")
            size_line, _, self.buffer = self.buffer.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            chunk = self._exactly(size + 2)
            body += size_line + b"\r\n" + chunk
            if size == 0:
                return body

    def _exactly(self, count):
        while len(self.buffer) < count:
            if not self._fill():
                raise ValueError("connection closed inside a message body")
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def _fill(self):
        data = self.sock.recv(65536)
        self.buffer += data
        return bool(data)


def _listen(port, backlog):
    """A listening socket on `port`. SO_REUSEPORT (which accepted connections inherit) lets
    the port be listened on again while connections accepted earlier are still closing."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(backlog)
    return sock


def _reset(sock):
    """Close with an RST instead of a FIN: the peer sees 'connection reset by peer'."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()
