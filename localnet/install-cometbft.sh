#!/usr/bin/env bash
# Installs the pinned CometBFT into .tools/ (git-ignored) with `go install` — built from source
# through the Go module proxy, never a prebuilt binary from the web. Idempotent.
# Last line of output: the installed version.
set -euo pipefail
COMETBFT_VERSION="${COMETBFT_VERSION:-v0.38.26}"
root="$(cd "$(dirname "$0")/.." && pwd)"
bindir="$root/.tools/cometbft-$COMETBFT_VERSION/bin"
bin="$bindir/cometbft"
want="${COMETBFT_VERSION#v}"

if [ -x "$bin" ] && [ "$("$bin" version 2>/dev/null)" = "$want" ]; then
  echo "cometbft $want already installed at $bin; nothing to do"
  ln -sfn "cometbft-$COMETBFT_VERSION" "$root/.tools/cometbft"
  "$bin" version
  exit 0
fi
if ! command -v go >/dev/null; then
  echo "go is not installed: CometBFT is built with 'go install' (Go >= 1.22.11 needed)" >&2
  exit 1
fi
echo "installing cometbft $COMETBFT_VERSION with go install into $bindir (first build takes a few minutes)"
mkdir -p "$bindir"
GOBIN="$bindir" GOFLAGS="${GOFLAGS:-} -buildvcs=false" go install "github.com/cometbft/cometbft/cmd/cometbft@$COMETBFT_VERSION"
got="$("$bin" version)"
if [ "$got" != "$want" ]; then
  echo "installed cometbft reports version $got, expected $want" >&2
  exit 1
fi
ln -sfn "cometbft-$COMETBFT_VERSION" "$root/.tools/cometbft"
echo "$got"
