# The two commands of the README:
#   make demo   set up a fresh machine and run the pipeline on this repository's own history
#   make test   set up and run every test
# .ci/run calls `make test`.

GO      ?= go
ORT_LIB := $(shell scripts/setup.sh ort-path)
export ONNXRUNTIME_LIB ?= $(ORT_LIB)
export CGO_ENABLED := 1

DEMO_DIR ?= .work/demo

.PHONY: setup build demo test bench faults perf model clean

setup:
	scripts/setup.sh

build: setup
	$(GO) build -o bin/ ./cmd/...

demo: build
	mkdir -p $(DEMO_DIR)
	bin/train run --db $(DEMO_DIR)/commit-labeler.db --workdir $(DEMO_DIR)/clones --out $(DEMO_DIR)/models --repo .

# The tests also render the summary page in Debian's chromium and post
# GitHub's own webhook examples: both are fetched here, outside the clone.
test:
	scripts/setup.sh chromium
	scripts/fetch-webhook-examples.sh >/dev/null
	$(GO) vet ./...
	$(GO) test -count=1 ./...

bench: setup
	$(GO) test -run '^$$' -bench . -benchtime 1x ./...

# The bot's long fault runs (README "Fault runs"): SIGKILL during a burst of
# 10,000 deliveries, GitHub failing 30% of calls, a full disk, a read-only
# database, SIGTERM during a burst, secrets never leaked. One at a time:
#   make faults FAULTS=TestFaultDiskFull
FAULTS ?= TestFault|TestSecretsNeverLeak|TestBotSurvivesKill
faults: setup
	scripts/fetch-webhook-examples.sh >/dev/null
	CL_FAULTS=1 $(GO) test -count=1 -v -timeout 60m -run '$(FAULTS)' ./cmd/bot/

# The README's performance table, measured in one run: extract vs plain git,
# import, training of each kind and its cost curve, classification, and the
# bot's `bench --json` when it has one. PERF_FLAGS=--quick trains on 10k commits.
PERF_FLAGS ?=
perf: build
	scripts/fetch-webhook-examples.sh >/dev/null
	scripts/setup-probot.sh >/dev/null
	bin/train bench --corpus $(CORPUS) $(PERF_FLAGS)

# The shipped default model (models/default), reproduced from the corpus.
# HOLDOUT are repositories it never trains on (chosen by a hash of their
# names: classify.SplitByRepo share 0.25, seed 2026); its reported scores are
# measured on them (models/default/eval.json).
CORPUS     ?= ../shared/data/commits-dev.jsonl.gz
HOLDOUT    ?= go-task/task,mudler/LocalAI,oclif/oclif,ibis-project/ibis,Flagsmith/flagsmith,litestar-org/litestar,deepset-ai/haystack,kestra-io/kestra
MODEL_WORK ?= .work/model

model: build
	rm -rf $(MODEL_WORK) && mkdir -p $(MODEL_WORK)
	bin/train import --db $(MODEL_WORK)/corpus.db $(CORPUS)
	bin/train train --db $(MODEL_WORK)/corpus.db --model tfidf_logreg --out $(MODEL_WORK)/out --holdout $(HOLDOUT) --valid-share 0
	find models/default -mindepth 1 ! -name README.md -delete
	cp $(MODEL_WORK)/out/tfidf_logreg/* models/default/
	bin/train eval --model models/default --data $(CORPUS) --repos $(HOLDOUT) --json > models/default/eval.json
	bin/train eval --model models/default --data $(CORPUS) --repos $(HOLDOUT)

clean:
	rm -rf bin .work
