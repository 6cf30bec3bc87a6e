# The two commands of the README:
#   make demo   set up a fresh machine and run the pipeline on this repository's own history
#   make test   set up and run every test
# .ci/run calls `make test`.

GO      ?= go
ORT_LIB := $(shell scripts/setup.sh ort-path)
export ONNXRUNTIME_LIB ?= $(ORT_LIB)
export CGO_ENABLED := 1

DEMO_DIR ?= .work/demo

.PHONY: setup build demo test bench faults corpus perf model warm lofo transformer clean

setup:
	scripts/setup.sh

build: setup
	$(GO) build -o bin/ ./cmd/...

demo: build
	mkdir -p $(DEMO_DIR)
	bin/train run --db $(DEMO_DIR)/commit-labeler.db --workdir $(DEMO_DIR)/clones --out $(DEMO_DIR)/models --repo .

# The tests also start throw-away PostgreSQL clusters (Debian's
# postgresql), render the summary page in Debian's chromium, post
# GitHub's own webhook examples and check the pretrained sentence encoder's
# tokenizer: all are fetched here, outside the clone. staticcheck is the
# version go.mod's tool line pins.
test:
	scripts/setup.sh chromium
	scripts/setup.sh postgres
	scripts/setup.sh encoder
	scripts/fetch-github-descriptions.sh >/dev/null
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	$(GO) test -count=1 ./...

bench: setup
	$(GO) test -run '^$$' -bench . -benchtime 1x ./...

# The bot's long fault runs (README "Fault runs"): SIGKILL during a burst of
# 10,000 deliveries, GitHub failing 30% of calls, a full disk, a read-only
# database, SIGTERM during a burst, secrets never leaked. One at a time:
#   make faults FAULTS=TestFaultDiskFull
FAULTS ?= TestFault|TestSecretsNeverLeak|TestBotSurvivesKill
faults: setup
	scripts/fetch-github-descriptions.sh >/dev/null
	CL_FAULTS=1 $(GO) test -count=1 -v -timeout 60m -run '$(FAULTS)' ./cmd/bot/

# The corpus (docs/corpus.md): the repositories of corpus/repos.tsv cloned
# at their pinned commits, extracted, labeled by their Conventional Commits
# headers and exported as CORPUS by `train corpus`. `make model` and `make
# perf` build it when it is missing; CORPUS=FILE (and MODEL_DATA) name
# other corpus files of the schema, such as the published ones.
CORPUS_WORK ?= .work/corpus
CORPUS      ?= $(CORPUS_WORK)/commits.jsonl.gz

corpus: build
	mkdir -p $(CORPUS_WORK)
	bin/train corpus --repos corpus/repos.tsv --db $(CORPUS_WORK)/corpus.db --workdir $(CORPUS_WORK)/clones --out $(CORPUS)

$(CORPUS_WORK)/commits.jsonl.gz:
	$(MAKE) corpus

# The README's performance table, measured in one run: extract vs plain git,
# import, training of each kind and its cost curve, classification, and the
# bot's intake and labeling (`bench bot --json`). PERF_FLAGS=--quick trains on 10k commits.
PERF_FLAGS ?=
perf: build $(CORPUS)
	scripts/fetch-github-descriptions.sh >/dev/null
	scripts/setup-probot.sh >/dev/null
	bin/bench train --corpus $(CORPUS) $(PERF_FLAGS)

# The shipped default model (models/default), reproduced from MODEL_DATA:
# the rebuilt corpus, or the two published corpus files it was trained on
# (make model MODEL_DATA="DIR/commits-dev.jsonl.gz DIR/commits-more.jsonl.gz").
# HOLDOUT are the repositories classify.SplitByRepo (share 0.25, seed
# 2026) holds out: the recipe is first trained without them and scored on
# them (models/default/eval.json, the figures the README reports); the
# shipped model is then the same recipe trained on every repository.
MODEL_DATA  ?= $(CORPUS)
HOLDOUT     ?= Flagsmith/flagsmith,JetBrains/Exposed,argoproj/argo-cd,ash-project/ash,biomejs/biome,caarlos0/env,deepset-ai/haystack,electron/electron,go-task/task,ibis-project/ibis,kestra-io/kestra,kyverno/kyverno,litestar-org/litestar,mudler/LocalAI,oclif/oclif,open-feature/java-sdk,openai/openai-python,oxc-project/oxc,pybind/pybind11,vitejs/vite
MODEL_WORK  ?= .work/model
TIME        := /usr/bin/time -f '%C: %e s, peak RSS %M KiB'

model: build $(MODEL_DATA)
	rm -rf $(MODEL_WORK) && mkdir -p $(MODEL_WORK)
	bin/train import --db $(MODEL_WORK)/corpus.db $(MODEL_DATA)
	$(TIME) bin/train train --db $(MODEL_WORK)/corpus.db --model tfidf_logreg --out $(MODEL_WORK)/holdout --holdout $(HOLDOUT) --valid-share 0
	bin/train eval --model $(MODEL_WORK)/holdout/tfidf_logreg $(addprefix --data ,$(MODEL_DATA)) --repos $(HOLDOUT) --json > $(MODEL_WORK)/eval.json
	bin/train eval --model $(MODEL_WORK)/holdout/tfidf_logreg $(addprefix --data ,$(MODEL_DATA)) --repos $(HOLDOUT)
	$(TIME) bin/train train --db $(MODEL_WORK)/corpus.db --model tfidf_logreg --out $(MODEL_WORK)/all --valid-share 0
	find models/default -mindepth 1 ! -name README.md -delete
	cp $(MODEL_WORK)/all/tfidf_logreg/* $(MODEL_WORK)/eval.json models/default/

# What learning each repository brings (README "Learning each repository"):
# the hold-out model of `make model` as the global model, each hold-out
# repository learned from its oldest 70% and scored on its newest 30%.
warm: build
	bin/train eval --warm --model $(MODEL_WORK)/holdout/tfidf_logreg $(addprefix --data ,$(MODEL_DATA)) --repos $(HOLDOUT)

# The default recipe on repositories of organisations it never saw
# (docs/models.md "On other organisations"): the corpus's 61 organisations
# in 4 folds (shuffled with seed 2026), a model trained without each fold,
# every commit scored by the model that held its repository out.
# LOFO_POINT=P serves each model's operating point for precision P.
LOFO_1 ?= aws-amplify/amplify-android,biomejs/biome,caarlos0/env,chakra-ui/panda,grafana/loki,gravitee-io/gravitee-api-management,oclif/oclif,open-feature/java-sdk,open-telemetry/opentelemetry-js,openai/openai-python,oxc-project/oxc,shikijs/shiki,tauri-apps/tauri,twpayne/chezmoi,typescript-eslint/typescript-eslint,zellij-org/zellij
LOFO_2 ?= Flagsmith/flagsmith,PRQL/prql,apify/crawlee,aquasecurity/trivy,aws-powertools/powertools-lambda-java,aws-powertools/powertools-lambda-python,deepset-ai/haystack,firebase/flutterfire,go-kratos/kratos,kyverno/kyverno,mikro-orm/mikro-orm,mrousavy/react-native-mmkv,pybind/pybind11,python-semantic-release/python-semantic-release,semantic-release/semantic-release,vuejs/core
LOFO_3 ?= JetBrains/Exposed,ash-project/ash,chaos-mesh/chaos-mesh,electron/electron,feast-dev/feast,kestra-io/kestra,mudler/LocalAI,napi-rs/napi-rs,ohmyzsh/ohmyzsh,pnpm/pnpm,qTox/qTox,tree-sitter/tree-sitter,vitejs/vite,vitest-dev/vitest,zmkfirmware/zmk
LOFO_4 ?= argoproj/argo-cd,charmbracelet/bubbletea,electron-userland/electron-builder,go-task/task,goreleaser/goreleaser,ibis-project/ibis,litestar-org/litestar,logto-io/logto,lvgl/lvgl,orhun/git-cliff,ory/hydra,pola-rs/polars,ratatui/ratatui,starship/starship,vendure-ecommerce/vendure
LOFO_WORK  ?= .work/lofo
LOFO_POINT ?= 0

lofo: build $(MODEL_DATA)
	@test -f $(MODEL_WORK)/corpus.db || bin/train import --db $(MODEL_WORK)/corpus.db $(MODEL_DATA)
	$(foreach k,1 2 3 4,test -f $(LOFO_WORK)/$(k)/tfidf_logreg/model.onnx || $(TIME) bin/train train --db $(MODEL_WORK)/corpus.db --model tfidf_logreg --out $(LOFO_WORK)/$(k) --holdout $(LOFO_$(k)) --valid-share 0;)
	bin/train eval $(foreach k,1 2 3 4,--model $(LOFO_WORK)/$(k)/tfidf_logreg) $(addprefix --data ,$(MODEL_DATA)) --precision-point $(LOFO_POINT)

# The fine-tuned transformer (docs/models.md "The fine-tuned transformer"):
# all-MiniLM-L6-v2, as scripts/setup.sh fetches it, fine-tuned by
# scripts/finetune (PyTorch in a virtualenv outside the clone; never in CI
# or make test) on TRANSFORMER_EXAMPLES class-balanced commits of the
# repositories that are neither in HOLDOUT nor validation repositories;
# imported beside tfidf_logreg, both calibrated and the ensemble's weights
# fitted on the validation repositories; all three scored on HOLDOUT.
FINETUNE_VENV        ?= $(HOME)/.cache/commit-labeler/finetune-venv
TRANSFORMER_WORK     ?= .work/transformer
TRANSFORMER_EXAMPLES ?= 10000
TRANSFORMER_EPOCHS   ?= 1
# SetFit instead of end-to-end fine-tuning: the encoder on this many pairs
# of commits, then the head on its frozen embeddings (0: fine-tune, with a
# checkpoint a cut-off run resumes from).
TRANSFORMER_SETFIT_PAIRS ?= 0
FINETUNE_FLAGS = $(if $(filter 0,$(TRANSFORMER_SETFIT_PAIRS)),--checkpoint $(TRANSFORMER_WORK)/finetune-$(TRANSFORMER_EXAMPLES)x$(TRANSFORMER_EPOCHS).pt,--setfit-pairs $(TRANSFORMER_SETFIT_PAIRS))

$(FINETUNE_VENV)/installed: scripts/finetune/requirements.txt
	python3 -m venv $(FINETUNE_VENV)
	$(FINETUNE_VENV)/bin/pip install -q -r $<
	touch $@

transformer: build $(MODEL_DATA) $(FINETUNE_VENV)/installed
	scripts/setup.sh encoder all-minilm-l6-v2
	FINETUNE_PYTHON=$(FINETUNE_VENV)/bin/python $(GO) test -count=1 ./scripts/finetune/
	@test -f $(MODEL_WORK)/corpus.db || bin/train import --db $(MODEL_WORK)/corpus.db $(MODEL_DATA)
	mkdir -p $(TRANSFORMER_WORK)
	bin/train texts --db $(MODEL_WORK)/corpus.db --holdout $(HOLDOUT) > $(TRANSFORMER_WORK)/texts.jsonl
	$(TIME) $(FINETUNE_VENV)/bin/python scripts/finetune/finetune.py --encoder $$(scripts/setup.sh encoder-path all-minilm-l6-v2) \
		--texts $(TRANSFORMER_WORK)/texts.jsonl --labels labels.json --out $(TRANSFORMER_WORK)/finetuned \
		--max-examples $(TRANSFORMER_EXAMPLES) --epochs $(TRANSFORMER_EPOCHS) $(FINETUNE_FLAGS)
	$(TIME) bin/train train --db $(MODEL_WORK)/corpus.db --model tfidf_logreg,transformer --import $(TRANSFORMER_WORK)/finetuned \
		--out $(TRANSFORMER_WORK)/holdout --holdout $(HOLDOUT)
	$(foreach m,tfidf_logreg transformer ensemble,bin/train eval --model $(TRANSFORMER_WORK)/holdout/$(m) $(addprefix --data ,$(MODEL_DATA)) --repos $(HOLDOUT) --json > $(TRANSFORMER_WORK)/eval-$(m).json;)

clean:
	rm -rf bin .work
