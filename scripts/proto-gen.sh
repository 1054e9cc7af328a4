#!/usr/bin/env bash
# Compiles proto/dsdn/**/*.proto with ts-proto into proto/gen/ (committed).
# `--check` regenerates into a temp dir and fails if proto/gen/ is out of date (CI runs it).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v protoc >/dev/null; then
  echo "protoc not found: install Debian's protobuf-compiler (apt-get install -y protobuf-compiler)" >&2
  exit 1
fi
out=proto/gen
if [ "${1:-}" = "--check" ]; then out=$(mktemp -d); trap 'rm -rf "$out"' EXIT; fi
[ "${1:-}" = "--check" ] || { rm -rf proto/gen; mkdir -p proto/gen; }
mapfile -t files < <(cd proto && find dsdn -name '*.proto' | LC_ALL=C sort)
protoc \
  --plugin=protoc-gen-ts_proto=node_modules/.bin/protoc-gen-ts_proto \
  --ts_proto_out="$out" \
  --ts_proto_opt=esModuleInterop=true,forceLong=bigint,importSuffix=.js,outputServices=none,useDate=false,env=node,useExactTypes=false,exportCommonSymbols=false \
  -I proto "${files[@]/#/proto/}"
# Field tables for unknown-field rejection (chain-app/tx/unknownFields.ts), from the same sources.
desc=$(mktemp); trap 'rm -f "$desc"; [ "${1:-}" != "--check" ] || rm -rf "$out"' EXIT
protoc --include_imports --descriptor_set_out="$desc" -I proto "${files[@]/#/proto/}"
node scripts/wire-schema.mjs "$desc" "$out"
# The header names tool versions; drop the protoc line so Debian's patch level does not make diffs.
find "$out" -name '*.ts' -print0 | xargs -0 sed -i '/^\/\/   protoc  /d'
if [ "${1:-}" = "--check" ]; then
  if ! diff -r proto/gen "$out" >/dev/null; then
    echo "proto/gen is out of date: run 'npm run proto' and commit the result" >&2
    diff -r proto/gen "$out" | head -40 >&2
    exit 1
  fi
  echo "proto/gen is up to date"
else
  echo "generated $(find proto/gen -name '*.ts' | wc -l) files in proto/gen"
fi
