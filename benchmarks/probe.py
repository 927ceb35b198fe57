"""The measured process: `python -S -B benchmarks/probe.py MODE CONFIG_JSON`, started by
benchmarks/bench.py, never imported. It prints one JSON line of figures.

Modes:
  cold    import the Lambda entry and answer one LaunchRequest, as a new Lambda container
          does; nothing else is imported first (json, which both skills import anyway, is
          the exception). Reports the wall-clock moment of the answer, so the parent can
          take "spawn to first answer", and CPU time and peak RSS at that moment.
  stages  the same cold start cut into stages: the SDK imports named in the config first,
          one by one, then the entry, with every AWS SDK client or resource it makes timed
          on the way (botocore's Session.create_client, boto3's Session.resource/client).
  restore a "restore-like" first answer: the entry imported, then its SnapStart hooks run
          (config "hooks": the module with before_snapshot/after_restore(handler)), as
          Lambda runs them around a snapshot; then one LaunchRequest, timed.
  ca      what building a TLS client context with each CA bundle costs (certifi's, which
          botocore and requests use, and the system's), in this process.
  memory  after the cold start, answer `conversations` copies of the main conversation
          (envelopes recorded by a warm run, given a new user and session each time) on
          DynamoDB Local, importing nothing else, and report peak RSS after the cold
          start and after those turns.
  warm    after the cold start, play whole conversations in this process: once the tour
          (DynamoDB round trips and stored-state changes of every turn type), then timed
          conversations against DynamoDB Local, then the same with the DynamoDB client
          stubbed at the botocore level (a before-call hook answers with the responses
          DynamoDB Local gave in the warm-up), so the skill's own compute is visible.
          Each turn is timed on the wall clock and in CPU time of this thread (which
          leaves out time the machine gave to other processes).

Round trips are counted with botocore's event hooks, registered on every DynamoDB client
the skill makes (found by wrapping botocore.session.Session.create_client, the one place
botocore and boto3 both make clients), so both skills are counted the same way.
"""

import sys
import time

import json  # the one import ahead of the entry's; both skills import it anyway

READS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"})
WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})


def main():
    mode, config = sys.argv[1], json.loads(sys.argv[2])
    del sys.path[0]  # this script's folder: the measured process sees only its package
    sys.path[:0] = config["paths"]
    sys.path += config.get("tools_paths", [])  # warm mode: devkit and benchmarks, last
    result = {"cold": cold, "stages": stages, "memory": memory, "warm": warm, "restore": restore,
              "ca": ca}[mode](config)
    sys.stdout.write(json.dumps(result) + "\n")


def load_entry(config):
    module = __import__(config["entry"])
    return getattr(module, config["handler"])


def check_answer(response, expected):
    speech = (((response or {}).get("response") or {}).get("outputSpeech") or {}).get("ssml") or ""
    if expected.lower() not in speech.lower():
        raise SystemExit(f"unexpected answer (wanted {expected!r}): {speech[:300]!r}")


def usage():
    """CPU time so far, and the peak resident memory of this process: VmHWM, the high-water
    mark of its own address space (ru_maxrss would also count the parent's memory, which
    Linux carries over to a forked child's exec)."""
    figures = {"cpu_s": time.process_time()}
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    figures["peak_rss_mib"] = int(line.split()[1]) / 1024
    except OSError:
        pass
    if "peak_rss_mib" not in figures:
        import resource
        figures["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


# --- cold -----------------------------------------------------------------------------

def cold(config):
    started = time.perf_counter()
    handler = load_entry(config)
    imported = time.perf_counter()
    response = handler(config["event"], None)
    answered = time.perf_counter()
    answered_ns = time.time_ns()
    figures = usage()
    check_answer(response, config["expect"])
    return {"import_s": imported - started, "first_s": answered - imported, "answered_ns": answered_ns, **figures}


# --- restore-like and the CA bundle ---------------------------------------------------

def restore(config):
    handler = load_entry(config)
    hooks = __import__(config["hooks"], fromlist=["before_snapshot"])
    started = time.perf_counter()
    hooks.before_snapshot(handler)
    hooks.after_restore(handler)
    hooks_s = time.perf_counter() - started
    wall, cpu = time.perf_counter(), time.process_time()
    response = handler(config["event"], None)
    first_s, first_cpu_s = time.perf_counter() - wall, time.process_time() - cpu
    check_answer(response, config["expect"])
    return {"first_s": first_s, "first_cpu_s": first_cpu_s, "hooks_s": hooks_s}


def ca(config):
    import os
    import ssl
    import statistics

    import certifi
    bundles = [("none (a context with no certificates)", None),
               ("certifi (in the package; what botocore and requests load)", certifi.where())]
    system = ssl.get_default_verify_paths().cafile
    if system and os.path.isfile(system):
        bundles.append((f"the system's ({system})", system))
    rows = []
    for name, path in bundles:
        times, certificates = [], 0
        for _ in range(config["runs"]):
            started = time.perf_counter()
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            if path:
                context.load_verify_locations(cafile=path)
            times.append(time.perf_counter() - started)
            certificates = context.cert_store_stats()["x509_ca"]
        rows.append({"bundle": name, "certificates": certificates, "ms": statistics.median(times) * 1000})
    return {"bundles": rows, "runs": config["runs"]}


# --- stages ---------------------------------------------------------------------------

class CallTimer:
    """Total wall-clock and CPU time spent in the outermost of the wrapped methods (a boto3
    resource makes a client inside: that counts once)."""

    def __init__(self):
        self.wall = self.cpu = 0.0
        self.calls = 0
        self._depth = 0

    def wrap(self, owner, name):
        original = getattr(owner, name)
        timer = self

        def timed(*args, **kwargs):
            timer._depth += 1
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                timer._depth -= 1
                if not timer._depth:
                    timer.wall += time.perf_counter() - wall
                    timer.cpu += time.process_time() - cpu
                    timer.calls += 1
        setattr(owner, name, timed)


def stages(config):
    """[label, wall seconds, CPU seconds] of each stage of a cold start."""
    timings = []

    def clock():
        return time.perf_counter(), time.process_time()

    def since(label, start):
        wall, cpu = clock()
        timings.append([label, wall - start[0], cpu - start[1]])

    started = clock()
    for label, modules in config["stages"]:
        before = clock()
        for module in modules:
            __import__(module)
        since(label, before)
    timer = CallTimer()
    import botocore.session
    timer.wrap(botocore.session.Session, "create_client")
    if "boto3" in sys.modules:
        import boto3.session
        timer.wrap(boto3.session.Session, "resource")
        timer.wrap(boto3.session.Session, "client")
    before = clock()
    handler = load_entry(config)
    after = clock()
    timings.append(["AWS SDK clients made at import", timer.wall, timer.cpu])
    timings.append(["the rest of the entry's import", after[0] - before[0] - timer.wall,
                    after[1] - before[1] - timer.cpu])
    before = clock()
    response = handler(config["event"], None)
    since("first answer", before)
    check_answer(response, config["expect"])
    since("total (in-process)", started)
    return {"stages": timings, "clients": timer.calls}


# --- memory ---------------------------------------------------------------------------

def memory(config):
    handler = load_entry(config)
    check_answer(handler(config["event"], None), config["expect"])
    after_cold = usage()["peak_rss_mib"]
    turns = 0
    for number in range(config["conversations"]):
        user = f"amzn1.ask.account.BENCH-MEMORY-{number}-{time.time_ns()}"
        session = f"amzn1.echo-api.session.bench-memory-{number}-{time.time_ns()}"
        attributes = {}
        for index, (envelope, expected) in enumerate(zip(config["envelopes"], config["expected"])):
            event = json.loads(envelope)
            event["session"].update(sessionId=session, attributes=attributes)
            event["session"]["user"]["userId"] = event["context"]["System"]["user"]["userId"] = user
            event["request"]["requestId"] = f"amzn1.echo-api.request.bench-{number}-{index}"
            response = handler(event, None)
            turns += 1
            check_answer(response, expected)
            attributes = response.get("sessionAttributes") or {}
    return {"peak_rss_mib_after_cold": after_cold, "peak_rss_mib_after_warm": usage()["peak_rss_mib"],
            "warm_turns": turns}


# --- warm -----------------------------------------------------------------------------

class DynamoDbProbe:
    """botocore event hooks on the skill's DynamoDB clients: counts reads and writes,
    records responses, and in stub mode answers every call itself."""

    def __init__(self):
        self.reads = 0
        self.writes = 0
        self.recording = None     # a list to append (operation, response) to, or None
        self.replay = None        # a list of (operation, response) to answer from, or None

    def attach(self, client):
        client.meta.events.register("before-call.dynamodb", self.before_call, unique_id="bench-probe-before")
        # first, so the response is copied before boto3's resource layer transforms it
        client.meta.events.register_first("after-call.dynamodb", self.after_call, unique_id="bench-probe-after")

    def before_call(self, model, **_):
        if model.name in READS:
            self.reads += 1
        elif model.name in WRITES:
            self.writes += 1
        if self.replay is None:
            return None
        if not self.replay:
            raise SystemExit(f"stub: no recorded response left for {model.name}")
        operation, response = self.replay.pop(0)
        if operation != model.name:
            raise SystemExit(f"stub: the skill called {model.name} where the recording has {operation}")
        from botocore.awsrequest import AWSResponse
        return AWSResponse(None, 200, {}, None), response

    def after_call(self, model, parsed, **_):
        if self.recording is not None and self.replay is None:
            self.recording.append((model.name, json.loads(json.dumps(parsed, default=str))))


def install_probe():
    import botocore.session
    probe = DynamoDbProbe()
    original = botocore.session.Session.create_client

    def create_client(self, service_name, *args, **kwargs):
        client = original(self, service_name, *args, **kwargs)
        if service_name == "dynamodb":
            probe.attach(client)
        return client
    botocore.session.Session.create_client = create_client
    return probe


class StateReader:
    """Reads the user's item with a client of its own (made before the probe, so never
    counted), to tell whether a turn changed what is stored."""

    def __init__(self, spec):
        import botocore.session
        self.spec = spec
        self.client = botocore.session.get_session().create_client(
            "dynamodb", region_name="us-east-1", endpoint_url=spec["endpoint"])

    def state(self, user_id):
        import hashlib
        key = hashlib.sha256(user_id.encode()).hexdigest() if self.spec["hash_key"] else user_id
        item = self.client.get_item(TableName=self.spec["table"], Key={self.spec["key"]: {"S": key}},
                                    ConsistentRead=True).get("Item") or {}
        return {k: v for k, v in item.items() if k not in self.spec["bookkeeping"]}


def play(handler, steps, user, on_turn=None):
    """Play one conversation for a new user, checking every answer; on_turn(label, turn)
    after each turn. Returns the Conversation (its history has every envelope sent)."""
    from devkit.alexa import Caller, Conversation
    from benchmarks.conversations import NOW
    talk = Conversation(handler, Caller(user_id=user), now=NOW)
    for label, send, expected in steps:
        if expected is None and label.startswith("("):
            send(talk)
            continue
        turn = send(talk)
        if expected is not None:
            check_answer(turn.response, expected)
        if on_turn:
            on_turn(label, turn)
    return talk


def warm(config):
    import uuid
    state = StateReader(config["state"])
    probe = install_probe()
    handler = load_entry(config)
    response = handler(config["event"], None)
    check_answer(response, config["expect"])

    from benchmarks.conversations import CONVERSATIONS
    steps = CONVERSATIONS[config["skill"]]
    timings = {"elapsed": 0.0, "cpu": 0.0, "turns": 0}

    def timed(event, context):
        started, cpu = time.perf_counter(), time.thread_time()
        try:
            return handler(event, context)
        finally:
            timings["elapsed"] = time.perf_counter() - started
            timings["cpu"] = time.thread_time() - cpu
            timings["turns"] += 1

    def new_user():
        return f"amzn1.ask.account.BENCH-{uuid.uuid4()}"

    # The tour: round trips and stored-state changes of every turn type.
    tour = []
    user = new_user()
    counted = [probe.reads, probe.writes, state.state(user)]

    def on_tour_turn(label, turn):
        now = state.state(user)
        tour.append({"label": label, "reads": probe.reads - counted[0], "writes": probe.writes - counted[1],
                     "state_changed": now != counted[2]})
        counted[:] = [probe.reads, probe.writes, now]
    play(timed, steps["tour"], user, on_tour_turn)

    def measure(conversations, samples):
        for _ in range(conversations):
            marks = [probe.reads, probe.writes]

            def on_turn(label, turn):
                sample = samples.setdefault(label, {"s": [], "cpu_s": [], "reads": [], "writes": []})
                sample["s"].append(timings["elapsed"])
                sample["cpu_s"].append(timings["cpu"])
                sample["reads"].append(probe.reads - marks[0])
                sample["writes"].append(probe.writes - marks[1])
                marks[:] = [probe.reads, probe.writes]
            play(timed, steps["main"], new_user(), on_turn)

    # Warm-up on DynamoDB Local; its first conversation is the stub's recording.
    recording = []
    probe.recording = recording
    envelopes = [turn.request for turn in play(timed, steps["main"], new_user()).history]
    probe.recording = None
    measure(config["warmup"] - 1, {})

    local = {}
    measure(config["conversations"], local)

    stubbed = {}
    for round_ in ("warm-up", "measured"):
        count = config["warmup"] if round_ == "warm-up" else config["conversations"]
        for _ in range(count):
            probe.replay = [(operation, json.loads(json.dumps(response))) for operation, response in recording]
            measure(1, stubbed if round_ == "measured" else {})
            if probe.replay:
                raise SystemExit(f"stub: {len(probe.replay)} recorded responses were not asked for")
    probe.replay = None
    return {"tour": tour, "dynamodb_local": local, "stubbed": stubbed, "envelopes": envelopes,
            "turns": timings["turns"]}


if __name__ == "__main__":
    main()
