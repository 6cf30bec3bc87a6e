# The two commands of the README:
#   make demo   set up a fresh machine and run the pipeline on this repository's own history
#   make test   set up and run every test
# .ci/run calls `make test`.

GO      ?= go
ORT_LIB := $(shell scripts/setup.sh ort-path)
export ONNXRUNTIME_LIB ?= $(ORT_LIB)
export CGO_ENABLED := 1

DEMO_DIR ?= .work/demo

.PHONY: setup build demo test bench clean

setup:
	scripts/setup.sh

build: setup
	$(GO) build -o bin/ ./cmd/...

demo: build
	mkdir -p $(DEMO_DIR)
	bin/train run --db $(DEMO_DIR)/commit-labeler.db --workdir $(DEMO_DIR)/clones --out $(DEMO_DIR)/models --repo .

test: setup
	scripts/fetch-webhook-examples.sh >/dev/null
	$(GO) vet ./...
	$(GO) test -count=1 ./...

bench: setup
	$(GO) test -run '^$$' -bench . -benchtime 1x ./...

clean:
	rm -rf bin .work
