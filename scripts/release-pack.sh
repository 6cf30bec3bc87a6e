#!/usr/bin/env bash
# release-pack.sh OUTDIR: builds the bot for this machine's architecture
# and packs OUTDIR/commit-labeler-bot-linux-{amd64,arm64}.tar.gz, what
# scripts/action-install.sh installs: a directory of that name holding
# commit-labeler-bot and the ONNX Runtime library it loads,
# libonnxruntime.so.1 (scripts/setup.sh fetches it for the architecture).
# The default model is embedded in the binary (models/models.go), so
# nothing else is needed at run time. .github/workflows/release.yml runs it
# on each architecture's runner; scripts/measure-action.sh packs what it
# serves with it. Prints the tarball's path.
set -euo pipefail

out=${1:?usage: scripts/release-pack.sh OUTDIR}
cd "$(dirname "$0")/.."
case $(uname -m) in
x86_64) arch=amd64 ;;
aarch64 | arm64) arch=arm64 ;;
*) echo "release-pack: no release for $(uname -m) (x86_64 and aarch64 only)" >&2; exit 1 ;;
esac
name=commit-labeler-bot-linux-$arch

scripts/setup.sh
mkdir -p "$out"
rm -rf "${out:?}/$name"
mkdir "$out/$name"
# -s -w: no symbol table or DWARF (a third of the binary); panics still
# print their stack traces.
CGO_ENABLED=1 go build -trimpath -ldflags='-s -w' -o "$out/$name/commit-labeler-bot" ./cmd/bot
cp "$(scripts/setup.sh ort-path)" "$out/$name/libonnxruntime.so.1"
# The binary starts on this machine (glibc, architecture).
"$out/$name/commit-labeler-bot" action -h 2>/dev/null
tar -czf "$out/$name.tar.gz" -C "$out" "$name"
echo "$out/$name.tar.gz"
