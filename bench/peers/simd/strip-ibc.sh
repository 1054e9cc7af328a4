#!/usr/bin/env bash
# @module Removes the IBC wiring from the copied ibc-go v8.8.0 testing/simapp, so the bench's simd is a plain Cosmos SDK v0.50 app.
# Usage: strip-ibc.sh <simapp dir> (build.sh calls it after rewriting the simapp's import path).
# What goes: the capability, IBC core, transfer, ICS-29 fee, interchain-accounts, light-client and mock modules
# (keepers, store keys, memory stores, module accounts, begin/end/genesis order, params subspaces), the IBC
# RedundantRelay ante decorator and the ibc-go upgrade handlers. Every Cosmos SDK module and decorator stays.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="${1:?usage: strip-ibc.sh <simapp dir>}"
patch -d "$dir" -p1 --forward --batch --no-backup-if-mismatch <"$here/strip-ibc.patch"
# The upgrade handlers migrate IBC state (ibc-go v5..v8.1); none is needed by a fresh bench chain.
rm -rf "$dir/upgrades"
if grep -rq 'github.com/cosmos/ibc-go' "$dir" --include='*.go'; then
  echo "strip-ibc.sh: ibc-go imports remain in $dir" >&2
  exit 1
fi
