#!/usr/bin/env bash
# @module Builds a Cosmos SDK v0.50 `simd` (ibc-go v8.8.0's testing/simapp, IBC wiring removed) from the Go module proxy into a git-ignored folder.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${SIMD_BUILD_DIR:-$here/.build}"
IBC=github.com/cosmos/ibc-go/v8@v8.8.0
SDK_VERSION=v0.50.15
COMET_VERSION=v0.38.26
if [[ -x "$out/simd" && "${SIMD_REBUILD:-0}" != 1 ]]; then echo "$out/simd"; exit 0; fi
mkdir -p "$out"
ibc_dir="$(go mod download -json "$IBC" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
sdk_mod="$(go mod download -json "github.com/cosmos/cosmos-sdk@$SDK_VERSION" | sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p')"
src="$out/src"
rm -rf "$src"; mkdir -p "$src"
cp -r "$ibc_dir/testing/simapp" "$src/simapp"
chmod -R u+w "$src"
rm -f "$src"/simapp/simd/cmd/cmd_test.go
# Our copy is its own module: point the simapp's self-imports at it.
find "$src" -name '*.go' -print0 | xargs -0 sed -i 's#github.com/cosmos/ibc-go/v8/testing/simapp#dsdn.bench/simd/simapp#g'
# Remove the IBC wiring (a reproducible edit kept next to this script).
if [[ -f "$here/strip-ibc.sh" ]]; then bash "$here/strip-ibc.sh" "$src/simapp"; fi
{
  echo 'module dsdn.bench/simd'
  echo
  echo 'go 1.23'
  echo
  echo "require github.com/cosmos/cosmos-sdk $SDK_VERSION"
  echo "require github.com/cometbft/cometbft $COMET_VERSION"
  echo
  # The SDK's own replace lines (keyring fork, goleveldb pin, ...), copied verbatim.
  awk '/^replace \(/{on=1} on{print} on&&/^\)/{on=0}' "$sdk_mod"
} >"$src/go.mod"
cd "$src"
GOFLAGS=-mod=mod go get "github.com/cosmos/cosmos-sdk@$SDK_VERSION" "github.com/cometbft/cometbft@$COMET_VERSION" >/dev/null
GOFLAGS=-mod=mod go mod tidy
go build -o "$out/simd" ./simapp/simd
echo "$out/simd"
