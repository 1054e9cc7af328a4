#!/usr/bin/env bash
# @module Builds kubo (`ipfs`) v0.43.1 from the Go module proxy into a git-ignored folder, through a small wrapper module.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${KUBO_BUILD_DIR:-$here/.build}"
KUBO_VERSION=v0.43.1
# kubo's go.mod replaces go-libp2p with a fork the module proxy refuses; the released v0.50.0 compiles in its place.
LIBP2P_VERSION=v0.50.0
if [[ -x "$out/ipfs" && "${KUBO_REBUILD:-0}" != 1 ]]; then echo "$out/ipfs"; exit 0; fi
mkdir -p "$out"
kubo_mod="$(go mod download -json "github.com/ipfs/kubo@$KUBO_VERSION" | sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p')"
src="$out/src"
rm -rf "$src"; mkdir -p "$src"
# A replace in a dependency's go.mod is ignored by Go, so the wrapper only needs kubo's own exclude lines and the
# go version kubo asks for.
{
  echo 'module dsdn.bench/kubo'
  echo
  grep -m1 '^go ' "$kubo_mod"
  echo
  echo "require github.com/ipfs/kubo $KUBO_VERSION"
  echo "require github.com/libp2p/go-libp2p $LIBP2P_VERSION"
  echo
  awk '/^exclude \(/{on=1} on{print} on&&/^\)/{on=0}' "$kubo_mod"
} >"$src/go.mod"
cd "$src"
GOFLAGS=-mod=mod go get "github.com/ipfs/kubo@$KUBO_VERSION" "github.com/libp2p/go-libp2p@$LIBP2P_VERSION" >/dev/null
GOFLAGS=-mod=mod go build -trimpath -o "$out/ipfs" github.com/ipfs/kubo/cmd/ipfs
echo "$out/ipfs"
