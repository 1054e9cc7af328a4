#!/usr/bin/env bash
# @module Builds a Cosmos SDK v0.50 `simd` (ibc-go v8.8.0's testing/simapp, IBC wiring removed) from the Go module proxy into a git-ignored folder.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${SIMD_BUILD_DIR:-$here/.build}"
IBC=github.com/cosmos/ibc-go/v8@v8.8.0
SDK_VERSION=v0.50.15
COMET_VERSION=v0.38.26
# The binary is reused while this recipe (this script, strip-ibc.sh and its patch) is the one that built it.
recipe="$(cat "$here/build.sh" "$here"/strip-ibc.* 2>/dev/null | sha256sum | cut -c1-16)"
if [[ -x "$out/simd" && "${SIMD_REBUILD:-0}" != 1 && "$(cat "$out/simd.recipe" 2>/dev/null)" == "$recipe" ]]; then
  echo "$out/simd"
  exit 0
fi
mkdir -p "$out"
ibc_json="$(go mod download -json "$IBC")"
ibc_dir="$(sed -n 's/^\t"Dir": "\(.*\)",$/\1/p' <<<"$ibc_json")"
ibc_mod="$(sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p' <<<"$ibc_json")"
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
  # The SDK's own modules (x/upgrade, x/circuit, confix, ...) at the versions ibc-go v8.8.0 pins: with the IBC
  # imports removed nothing else pins them, and the module proxy here refuses version lists.
  awk '/^require \(/{on=1} on{print} on&&/^\)/{on=0}' "$ibc_mod" |
    grep -v -e '^[[:space:]]github.com/cosmos/cosmos-sdk ' -e '^[[:space:]]github.com/cometbft/cometbft '
  echo
  # The SDK's own replace lines (keyring fork, goleveldb pin, ...), copied verbatim.
  awk '/^replace \(/{on=1} on{print} on&&/^\)/{on=0}' "$sdk_mod"
} >"$src/go.mod"
cd "$src"
GOFLAGS=-mod=mod go get "github.com/cosmos/cosmos-sdk@$SDK_VERSION" "github.com/cometbft/cometbft@$COMET_VERSION" >/dev/null
GOFLAGS=-mod=mod go mod tidy
go build -o "$out/simd.new" ./simapp/simd
mv "$out/simd.new" "$out/simd"
echo "$recipe" >"$out/simd.recipe"
echo "$out/simd"
