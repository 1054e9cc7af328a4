#!/usr/bin/env bash
# Starts a whole DSDN network on this machine: N Chain Nusantara validators (cometbft + dsdnd each),
# the Cosmos REST (LCD) API for wallets and explorers (dsdnd rest serve, REST_URL; Keplr's chain info in
# keplr-chain.json), the local DA server, and the off-chain services: storage nodes (bonded and registered on chain by dev
# operator accounts storage<n>), the coordinator, the HTTP ingress and the dashboard (DASHBOARD_URL).
# Installs what is missing first.
#
#   localnet/start.sh [--fresh] [--validators N] [--storage-nodes N]
#
# Env: LOCALNET_DIR (default .localnet), LOCALNET_BASE_PORT (default 26600), LOCALNET_TIMEOUT_COMMIT (1s),
#      LOCALNET_WAIT_SECONDS (120), LOCALNET_NO_BUILD=1 (tests: the tree is already built),
#      LOCALNET_SERVICES=all|chain (chain: validators + DA only), LOCALNET_STORAGE_NODES (5, at most 7; zones
#      zone-a/b/c round robin), LOCALNET_DA_BLOCK_MS (500), LOCALNET_GC_GRACE_MS (60000: how long storage
#      nodes keep chunks no live pin or placement needs), LOCALNET_SLASHING_WINDOW (signed-blocks window in
#      blocks, 1000) and LOCALNET_DOWNTIME_JAIL_SECONDS (30) — both only read when the chain is initialised —,
#      LOCALNET_TICKET_TTL_MS (coordinator placement/heal ticket lifetime, 1 h), LOCALNET_REPLICATION (the
#      coordinator's replication factor, default 3; `dsdn dev` runs one storage node with 1), LOCALNET_PRICE_SOURCE (sim|file)
#      and LOCALNET_PRICE_USD (the file feed's starting price) for the validators' price feeders; the DA fallback
#      router's LOCALNET_DA_FALLBACK_HEALTH_MS (1000), LOCALNET_DA_DEGRADED_AFTER_MS (10000), LOCALNET_DA_EMERGENCY_AFTER_MS (60000).
#      Fraud games: LOCALNET_COMPUTE_WINDOW_SECONDS (compute challenge window, 20) and LOCALNET_FRAUD_MOVE_TIMEOUT_SECONDS
#      (30), read when the chain is initialised; LOCALNET_ORACLE_SLASH_WINDOW_SECONDS (the oracle's miss-penalty
#      window, default a week; read at init); the subsidy's clock, read at init (default the module's):
#      LOCALNET_SUBSIDY_MONTH_SECONDS (30 days), LOCALNET_SUBSIDY_CHALLENGE_PERIOD_SECONDS (liveness challenge every 1 h)
#      and LOCALNET_SUBSIDY_CHALLENGE_DEADLINE_SECONDS (answer within 10 min; less than the period), and
#      LOCALNET_SUBSIDY_POOL_UNUSA (the subsidy pool's genesis funds, default 0); LOCALNET_STORAGE_FAULTS="1=wrong-step@N,2=skip-execution" starts
#      those storage nodes in a test-only fault mode (`--fault`). Every storage node defends its compute receipts in
#      fraud games with its operator's key (<node dir>/operator.mnemonic, 0600).
#      LOCALNET_MICROVM (bwrap|mock|none, or per node "0=bwrap,1=bwrap,2=none"; default bwrap when it runs here, else
#      none): the MicroVM backend each storage node offers (`--microvm`; mock runs commands without isolation).
#      State persists across runs; --fresh wipes it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

fresh=0
validators="${LOCALNET_VALIDATORS:-4}"
storage_nodes="${LOCALNET_STORAGE_NODES:-5}"
services="${LOCALNET_SERVICES:-all}"
while [ $# -gt 0 ]; do
  case "$1" in
    --fresh) fresh=1 ;;
    --validators) validators="$2"; shift ;;
    --validators=*) validators="${1#*=}" ;;
    --storage-nodes) storage_nodes="$2"; shift ;;
    --storage-nodes=*) storage_nodes="${1#*=}" ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

dir="${LOCALNET_DIR:-$root/.localnet}"
base="${LOCALNET_BASE_PORT:-26600}"
chain_id="${LOCALNET_CHAIN_ID:-nusantara-localnet-1}"
gas_price="${LOCALNET_GAS_PRICE:-0.025unusa}"
wait_s="${LOCALNET_WAIT_SECONDS:-120}"
da_port=$((base + 90))
coord_port=$((base + 91))
ingress_port=$((base + 92))
rest_port=$((base + 4)) # a free slot in validator 0's block (base+0..3: p2p, rpc, abci, prometheus)
dashboard_port=$((base + 89))
s3_port=$((base + 6)) # another free slot in validator 0's block
da_emergency_port=$((base + 5)) # the last free slot there: the emergency DA server of the fallback router
case "$services" in all|chain) ;; *) echo "LOCALNET_SERVICES must be all or chain" >&2; exit 2 ;; esac
[[ "$storage_nodes" =~ ^[0-9]+$ ]] && [ "$storage_nodes" -le 7 ] || { echo "--storage-nodes must be 0–7" >&2; exit 2; }

say() { printf '==> %s\n' "$*"; }
die() { printf 'localnet: %s\n' "$*" >&2; exit 1; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# 1. Install what is missing: npm packages, the pinned CometBFT, the compiled tree.
if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ]; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund >/dev/null
fi
bash localnet/install-cometbft.sh | tail -1 | sed 's/^/==> cometbft /'
cometbft="$root/.tools/cometbft/bin/cometbft"
if [ "${LOCALNET_NO_BUILD:-0}" != 1 ] && { [ ! -f dist/clients/dsdnd/main.js ] || [ -n "$(find chain-app modules clients node-agent common genesis proto -name '*.ts' -newer dist/clients/dsdnd/main.js -print -quit 2>/dev/null)" ]; }; then
  say "building (npm run build)"
  npm run build >/dev/null
fi

# 2. Already running? Then just show the endpoints.
if compgen -G "$dir/pids/*.pid" >/dev/null; then
  running=1
  for p in "$dir"/pids/*.pid; do alive "$p" || running=0; done
  if [ "$running" = 1 ] && [ "$fresh" = 0 ]; then
    say "localnet already running (localnet/stop.sh stops it)"
    cat "$dir/env"
    exit 0
  fi
  bash "$root/localnet/stop.sh" >/dev/null 2>&1 || true
fi
if [ "$fresh" = 1 ]; then
  say "wiping $dir"
  rm -rf "$dir"
fi
mkdir -p "$dir/logs" "$dir/pids"
# From here on processes get started: a start that fails part-way (a failing command under `set -e`, Ctrl-C, a
# TERM) stops what it had started, so a retry never meets stray cometbft/feeder/REST processes on its ports.
stop_on_failure() {
  local rc=$?
  trap - EXIT INT TERM
  if [ "$rc" != 0 ]; then
    echo "localnet: start failed (exit $rc); stopping the processes it had started" >&2
    bash "$root/localnet/stop.sh" >&2 || true
  fi
  exit "$rc"
}
trap stop_on_failure EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# 3. Initialise the validators once; later runs resume the same chain.
if [ ! -f "$dir/chain/nodes.json" ]; then
  say "initialising $validators validators (chain $chain_id)"
  node bin/dsdnd.js testnet init --output "$dir/chain" --validators "$validators" --chain-id "$chain_id" \
    --base-port "$base" --timeout-commit "${LOCALNET_TIMEOUT_COMMIT:-1s}" --min-gas-price "$gas_price" \
    --signed-blocks-window "${LOCALNET_SLASHING_WINDOW:-1000}" --downtime-jail-seconds "${LOCALNET_DOWNTIME_JAIL_SECONDS:-30}" \
    --compute-window-seconds "${LOCALNET_COMPUTE_WINDOW_SECONDS:-20}" --fraud-move-timeout-seconds "${LOCALNET_FRAUD_MOVE_TIMEOUT_SECONDS:-30}" \
    ${LOCALNET_ORACLE_SLASH_WINDOW_SECONDS:+--oracle-slash-window-seconds "$LOCALNET_ORACLE_SLASH_WINDOW_SECONDS"} \
    ${LOCALNET_SUBSIDY_MONTH_SECONDS:+--subsidy-month-seconds "$LOCALNET_SUBSIDY_MONTH_SECONDS"} \
    ${LOCALNET_SUBSIDY_CHALLENGE_PERIOD_SECONDS:+--subsidy-challenge-period-seconds "$LOCALNET_SUBSIDY_CHALLENGE_PERIOD_SECONDS"} \
    ${LOCALNET_SUBSIDY_CHALLENGE_DEADLINE_SECONDS:+--subsidy-challenge-deadline-seconds "$LOCALNET_SUBSIDY_CHALLENGE_DEADLINE_SECONDS"} \
    ${LOCALNET_SUBSIDY_POOL_UNUSA:+--subsidy-pool-unusa "$LOCALNET_SUBSIDY_POOL_UNUSA"} >/dev/null
  cp "$dir/chain/accounts.json" "$dir/accounts.json"
fi
validators=$(node -e 'console.log(require(process.argv[1]).length)' "$dir/chain/nodes.json")

start_bg() { # role index logfile command...
  local role="$1" n="$2" log="$3"; shift 3
  nohup "$@" >>"$log" 2>&1 &
  echo $! >"$dir/pids/$role-$n.pid"
}

# 4. Start every validator: its price feeder, the app (it serves ABCI), then CometBFT (it connects to the app).
#    Feeders: LOCALNET_PRICE_SOURCE=sim (default: a deterministic simulated feed around $0.05) or file (feeder i
#    reads $dir/prices/node<i>.txt, a decimal USD price created from LOCALNET_PRICE_USD, 0.05; edit it live).
price_source="${LOCALNET_PRICE_SOURCE:-sim}"
case "$price_source" in sim|file) ;; *) die "LOCALNET_PRICE_SOURCE must be sim or file" ;; esac
mkdir -p "$dir/prices"
for ((i = 0; i < validators; i++)); do
  home="$dir/chain/node$i"
  feeder=(--out "$home/data/price.json" --source "$price_source")
  if [ "$price_source" = file ]; then
    [ -f "$dir/prices/node$i.txt" ] || echo "${LOCALNET_PRICE_USD:-0.05}" >"$dir/prices/node$i.txt"
    feeder+=(--file "$dir/prices/node$i.txt")
  fi
  mkdir -p "$home/data"
  start_bg price-feeder "$i" "$dir/logs/price-feeder-$i.log" node bin/dsdn-node.js price-feeder "${feeder[@]}"
  start_bg dsdnd "$i" "$dir/logs/dsdnd-$i.log" node bin/dsdnd.js start --home "$home" --price-file "$home/data/price.json"
done
sleep 1
for ((i = 0; i < validators; i++)); do
  home="$dir/chain/node$i"
  start_bg cometbft "$i" "$dir/logs/cometbft-$i.log" "$cometbft" start --home "$home"
done

# 4b. The Cosmos REST API (stateless: answers by ABCI queries and CometBFT RPC through validator 0).
rest_url="http://127.0.0.1:$rest_port"
start_bg rest 0 "$dir/logs/rest-0.log" node bin/dsdnd.js rest serve --node "http://127.0.0.1:$((base + 1))" --listen "127.0.0.1:$rest_port"

# 5. The local DA server (celestia-node compatible JSON-RPC), when this build has it.
da_url=""
if node bin/dsdn-node.js --help 2>/dev/null | grep -qE '^\s+da\s'; then
  mkdir -p "$dir/da"
  start_bg da 0 "$dir/logs/da-0.log" node bin/dsdn-node.js da --port "$da_port" --data "$dir/da" --block-time-ms "${LOCALNET_DA_BLOCK_MS:-500}"
  da_url="http://127.0.0.1:$da_port"
  # The operators' emergency DA (the fallback router's last rung): a second `dsdn-node da` with its own data and tokens.
  mkdir -p "$dir/da-emergency"
  start_bg da-emergency 0 "$dir/logs/da-emergency-0.log" node bin/dsdn-node.js da --port "$da_emergency_port" --data "$dir/da-emergency" \
    --block-time-ms "${LOCALNET_DA_BLOCK_MS:-500}"
  da_emergency_url="http://127.0.0.1:$da_emergency_port"
fi

fail() {
  echo "localnet: $1" >&2
  for f in "$dir"/logs/*.log; do echo "---- tail of $f" >&2; tail -n 15 "$f" >&2; done
  bash "$root/localnet/stop.sh" >/dev/null 2>&1 || true
  exit 1
}

# 6. Wait until blocks are produced.
rpc0="http://127.0.0.1:$((base + 1))"
deadline=$((SECONDS + wait_s))
start_height=""
while :; do
  for p in "$dir"/pids/*.pid; do alive "$p" || fail "$(basename "$p" .pid) exited during startup"; done
  h=$(curl -s --max-time 2 "$rpc0/status" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s).result.sync_info.latest_block_height)}catch{console.log("")}})' || true)
  if [ -n "$h" ]; then
    [ -z "$start_height" ] && start_height="$h"
    [ "$h" -ge $((start_height + 2)) ] && break
  fi
  [ $SECONDS -ge $deadline ] && fail "no blocks after ${wait_s}s"
  sleep 0.5
done

rpcs=""
for ((i = 0; i < validators; i++)); do rpcs+="${rpcs:+,}http://127.0.0.1:$((base + 10 * i + 1))"; done

# The REST API answers, and Keplr's chain info names it (gas price steps from the nodes' minimum gas price).
for _ in $(seq 1 40); do curl -s --max-time 2 -o /dev/null "$rest_url/cosmos/base/tendermint/v1beta1/node_info" && break; sleep 0.25; done
curl -s --max-time 2 -o /dev/null "$rest_url/cosmos/base/tendermint/v1beta1/node_info" || fail "REST API not answering on $rest_url"
node bin/dsdnd.js rest chain-info --chain-id "$chain_id" --chain-name "Chain Nusantara localnet" --rpc "$rpc0" \
  --rest "$rest_url" --gas-price "$gas_price" --output "$dir/keplr-chain.json"

da_env=""
if [ -n "$da_url" ]; then
  for _ in $(seq 1 40); do [ -s "$dir/da/write.token" ] && [ -s "$dir/da/read.token" ] && break; sleep 0.25; done
  for _ in $(seq 1 40); do [ -s "$dir/da-emergency/write.token" ] && [ -s "$dir/da-emergency/read.token" ] && break; sleep 0.25; done
  ns=$(node -e 'import("./dist/node-agent/da/commitment/index.js").then(m=>console.log(Buffer.from(m.namespaceFromName("dsdn-localnet")).toString("hex"))).catch(()=>console.log(""))' 2>/dev/null || true)
  # Tokens stay in their 0600 files: the env names the files, never the tokens. Readers get the read token;
  # only publishers (the coordinator, committee members) are pointed at the write token.
  da_env="export DA_RPC_URL=$da_url
export DA_AUTH_TOKEN_FILE=$dir/da/read.token
export DA_WRITE_TOKEN_FILE=$dir/da/write.token
export DA_NAMESPACE=$ns
export DA_EMERGENCY_RPC_URL=$da_emergency_url"
fi

# The DA fallback router's env for one publishing service (journal dir, validator-quorum secondary paid by the dev
# account $2, emergency token file $3): printed as `env` arguments so each service gets its own journal and account.
fallback_env() { # data-dir account emergency-token-file
  local mfile="$1/da-secondary.mnemonic"
  if [ ! -s "$mfile" ]; then
    (umask 077 && node -e 'const a=require(process.argv[1]).find(x=>x.name===process.argv[2]);if(!a)process.exit(3);process.stdout.write(a.mnemonic)' \
      "$dir/accounts.json" "$2" >"$mfile") || die "no dev account $2 for the DA secondary"
  fi
  printf '%s\n' "DA_FALLBACK_JOURNAL=$1/da-fallback.sqlite" "DA_SECONDARY_RPC_URL=$rpc0" "DA_SECONDARY_MNEMONIC_FILE=$mfile" \
    "DA_SECONDARY_GAS_PRICE=$gas_price" "DA_EMERGENCY_RPC_URL=$da_emergency_url" "DA_EMERGENCY_AUTH_TOKEN_FILE=$3" \
    "DA_FALLBACK_HEALTH_INTERVAL_MS=${LOCALNET_DA_FALLBACK_HEALTH_MS:-1000}" \
    "DA_FALLBACK_DEGRADED_AFTER_MS=${LOCALNET_DA_DEGRADED_AFTER_MS:-10000}" \
    "DA_FALLBACK_EMERGENCY_AFTER_MS=${LOCALNET_DA_EMERGENCY_AFTER_MS:-60000}"
}

write_env() {
  # 0600 from the start (umask in a subshell): the file names secrets' paths and the chain's accounts setup.
  (umask 077 && : >"$dir/env")
  chmod 600 "$dir/env"
  cat >"$dir/env" <<ENV
# DSDN localnet — development only. source this file: . $dir/env
export CHAIN_ID=$chain_id
export RPC_URL=$rpc0
export RPC_URLS=$rpcs
export REST_URL=$rest_url
export KEPLR_CHAIN_INFO=$dir/keplr-chain.json
export DENOM=unusa
export BECH32_PREFIX=nusa
export GAS_PRICE=$gas_price
# The dev accounts' mnemonics are public: their keys live in the plain-text test keyring backend.
export DSDND_KEYRING_BACKEND=test
$da_env
${net_env:-}
${dash_env:-}
ENV
}
write_env

# 7. Off-chain services: storage nodes (bonded + registered on chain), coordinator, ingress.
net_env=""
if [ "$services" = all ] && [ -n "$da_url" ] && [ "$storage_nodes" -gt 0 ]; then
  # shellcheck disable=SC1091
  . "$dir/env"
  dsdnd=(node bin/dsdnd.js)
  keyring="$dir/keyring"
  coord_dir="$dir/coordinator"
  coord_key=$(node bin/dsdn-node.js coordinator key --data "$coord_dir")
  zones=(zone-a zone-b zone-c)
  # Bond + register every node's operator in parallel (one account each, so sequences never clash).
  pids_chain=()
  for ((n = 0; n < storage_nodes; n++)); do
    sdir="$dir/storage/$n"
    mkdir -p "$sdir"
    node_id=$(node bin/dsdn-node.js coordinator key --data "$sdir") # creates <sdir>/node-key.json (the node's key)
    # Plain-HTTP localnet endpoints have no certificate: the pinned fingerprint is a stand-in derived from the key.
    fp=$(printf 'dsdn-localnet-no-tls:%s' "$node_id" | sha256sum | cut -c1-64)
    echo "$fp" >"$sdir/tls-fingerprint"
    [ -f "$sdir/chain-registered" ] && continue
    (
      set -e
      name="storage$n"
      node -e 'const a=require(process.argv[1]).find(x=>x.name===process.argv[2]);if(!a)process.exit(3);process.stdout.write(a.mnemonic)' "$dir/accounts.json" "$name" |
        "${dsdnd[@]}" keys add "$name" --recover --keyring-dir "$keyring" --keyring-backend test >/dev/null 2>&1 || true
      "${dsdnd[@]}" tx stake bond-node "$name" regular 1000000000unusa --keyring-dir "$keyring" --keyring-backend test --node "$rpc0" -o json >"$sdir/bond.json"
      "${dsdnd[@]}" tx nodes register "$name" --node-key "$sdir/node-key.json" --tls-fingerprint "$fp" \
        --zone "${zones[$((n % 3))]}" --class regular --capacity 1099511627776 \
        --endpoint "http://127.0.0.1:$((base + 93 + n))" --keyring-dir "$keyring" --keyring-backend test --node "$rpc0" -o json >"$sdir/register.json"
      touch "$sdir/chain-registered"
    ) >>"$dir/logs/bootstrap.log" 2>&1 &
    pids_chain+=($!)
  done
  for p in "${pids_chain[@]}"; do wait "$p" || fail "bonding/registering a storage node on chain failed (see logs/bootstrap.log)"; done

  # The coordinator reports proven faults with the genesis fault authority (temporary, until the committee).
  if [ ! -f "$coord_dir/keyring/fault-authority.json" ]; then
    node -e 'process.stdout.write(require(process.argv[1]).find(x=>x.name==="fault-authority").mnemonic)' "$dir/accounts.json" |
      "${dsdnd[@]}" keys add fault-authority --recover --keyring-dir "$coord_dir/keyring" --keyring-backend test >/dev/null
  fi
  coord_url="http://127.0.0.1:$coord_port"
  mkdir -p "$coord_dir"
  mapfile -t coord_fb < <(fallback_env "$coord_dir" foundation "$dir/da-emergency/write.token")
  start_bg coordinator 0 "$dir/logs/coordinator-0.log" env "${coord_fb[@]}" node bin/dsdn-node.js coordinator run --data "$coord_dir" \
    --token-file "$dir/da/write.token" --port "$coord_port" --rpc "$rpc0" --health-interval-ms 500 --dead-after-ms 3000 --reconcile-ms 500 --challenge-ms 5000 \
    --fault-keyring-dir "$coord_dir/keyring" --fault-key fault-authority --localnet ${LOCALNET_TICKET_TTL_MS:+--ticket-ttl-ms "$LOCALNET_TICKET_TTL_MS"} ${LOCALNET_REPLICATION:+--rf "$LOCALNET_REPLICATION"}
  # The MicroVM backend the storage nodes offer: bwrap when the node's own probe runs it here, else none.
  microvm_default=$(node -e 'import("./dist/node-agent/runtime/microvm/bwrapVM.js").then(m=>console.log(typeof m.bwrapAvailable()==="string"?"none":"bwrap")).catch(()=>console.log("none"))' 2>/dev/null || echo none)
  microvm_of=()
  for ((n = 0; n < storage_nodes; n++)); do
    sdir="$dir/storage/$n"
    operator=$(node -e 'console.log(require(process.argv[1]).find(x=>x.name===process.argv[2]).address)' "$dir/accounts.json" "storage$n")
    # Storage nodes read with the read tokens only (of both DA servers), as on the primary.
    mapfile -t storage_fb < <(fallback_env "$sdir" "storage$n" "$dir/da-emergency/read.token")
    # The fraud defender signs with the operator's key; a test-only fault mode when LOCALNET_STORAGE_FAULTS names it.
    [ -s "$sdir/operator.mnemonic" ] || (umask 077 && cp "$sdir/da-secondary.mnemonic" "$sdir/operator.mnemonic")
    fault=()
    for f in ${LOCALNET_STORAGE_FAULTS:+${LOCALNET_STORAGE_FAULTS//,/ }}; do [ "${f%%=*}" = "$n" ] && fault=(--fault "${f#*=}"); done
    vm="$microvm_default"
    for f in ${LOCALNET_MICROVM:+${LOCALNET_MICROVM//,/ }}; do
      case "$f" in *=*) [ "${f%%=*}" = "$n" ] && vm="${f#*=}" ;; *) vm="$f" ;; esac
    done
    microvm_of[n]="$vm"
    start_bg storage "$n" "$dir/logs/storage-$n.log" env "${storage_fb[@]}" node bin/dsdn-node.js storage --data "$sdir" --token-file "$dir/da/read.token" \
      --port "$((base + 93 + n))" --zone "${zones[$((n % 3))]}" --coordinator-url "$coord_url" --coordinator-key "$coord_key" \
      --operator "$operator" --tls-fingerprint "$(cat "$sdir/tls-fingerprint")" --capacity 1024GiB --heal-interval-ms 500 --gc-grace-ms "${LOCALNET_GC_GRACE_MS:-60000}" \
      --compute-objects-url "http://127.0.0.1:$ingress_port" --chain-id "$chain_id" --rpc "$rpc0" \
      --operator-mnemonic-file "$sdir/operator.mnemonic" --microvm "$vm" "${fault[@]}"
  done
  # The ingress (and every storage node, through RPC_URL) follows governance's blocked pointers on the chain.
  start_bg ingress 0 "$dir/logs/ingress-0.log" node bin/dsdn-node.js ingress --port "$ingress_port" --zone zone-a --coordinator "$coord_key" \
    --token-file "$dir/da/read.token" --rpc "$rpc0" --audit-log "$dir/logs/ingress-0-audit.log"
  # The S3 gateway: its own account (test keyring in its data dir) signs its DA index records and owns the pins.
  s3_dir="$dir/s3"
  mkdir -p "$s3_dir"
  start_bg s3 0 "$dir/logs/s3-0.log" env DSDND_KEYRING_BACKEND=test node bin/dsdn-node.js s3 --data "$s3_dir" \
    --keyring-dir "$s3_dir/keyring" --coordinator "http://127.0.0.1:$coord_port" --port "$s3_port" --token-file "$dir/da/write.token"

  storage_urls=""
  for ((n = 0; n < storage_nodes; n++)); do storage_urls+="${storage_urls:+,}http://127.0.0.1:$((base + 93 + n))"; done
  mkdir -p "$dir/dsdn"
  printf '{"coordinator": "%s", "ingress": "%s", "localnet": "%s"}\n' "$coord_url" "http://127.0.0.1:$ingress_port" "$dir" >"$dir/dsdn/config.json"
  # The default localnet also becomes the user's dsdn default (only replacing a config an earlier localnet wrote),
  # so `dsdn upload FILE` works without sourcing the env file. Test localnets (LOCALNET_DIR elsewhere) never touch it.
  user_cfg="${DSDN_HOME:-$HOME/.dsdn}/config.json"
  if [ "$dir" = "$root/.localnet" ] && { [ ! -e "$user_cfg" ] || grep -q '"localnet"' "$user_cfg"; }; then
    mkdir -p "$(dirname "$user_cfg")" && cp "$dir/dsdn/config.json" "$user_cfg"
  fi
  net_env="export DSDN_COORDINATOR_URL=$coord_url
export DSDN_COORDINATOR_KEYS=$coord_key
export INGRESS_URL=http://127.0.0.1:$ingress_port
export STORAGE_NODE_URLS=$storage_urls
export DSDN_CONFIG=$dir/dsdn/config.json"
  write_env

  # Every node admitted (Active on DA) and the ingress answering.
  deadline=$((SECONDS + wait_s))
  while :; do
    for p in "$dir"/pids/*.pid; do alive "$p" || fail "$(basename "$p" .pid) exited during startup"; done
    active=$(curl -s --max-time 2 "$coord_url/nodes" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s).nodes.filter(n=>n.status==="active").length)}catch{console.log(0)}})' || true)
    if [ "$active" -ge "$storage_nodes" ] && curl -s --max-time 2 -o /dev/null "http://127.0.0.1:$ingress_port/health"; then break; fi
    [ $SECONDS -ge $deadline ] && fail "storage nodes not all Active after ${wait_s}s ($active/$storage_nodes)"
    sleep 0.5
  done

  # The S3 gateway answering, and one access key bound (by the dev account s3-user's own signature) for the env.
  s3_url="http://127.0.0.1:$s3_port"
  for _ in $(seq 1 120); do curl -s --max-time 2 -o /dev/null "$s3_url/_dsdn/health" && break; sleep 0.5; done
  alive "$dir/pids/s3-0.pid" || fail "s3 gateway exited during startup"
  if [ ! -s "$s3_dir/credentials.json" ]; then
    DSDND_KEYRING_BACKEND=test node bin/dsdn-node.js s3-key --gateway "$s3_url" --keyring-dir "$s3_dir/user-keyring" \
      --out "$s3_dir/credentials.json" >/dev/null || fail "could not bind an S3 access key"
  fi
  # The env names the credentials file (mode 600), never the secret.
  net_env="$net_env
export S3_URL=$s3_url
export S3_REGION=us-east-1
export S3_CREDENTIALS_FILE=$s3_dir/credentials.json
export IPFS_GATEWAY_URL=http://127.0.0.1:$ingress_port/ipfs"
  write_env
fi

# 8. The dashboard: public chain, DA (read token from its file, never the command line) and coordinator data.
dash_env=""
if node bin/dsdn-node.js --help 2>/dev/null | grep -qE '^\s+dashboard\s'; then
  dash_args=(--rpc "$rpc0" --listen "127.0.0.1:$dashboard_port")
  [ -n "$da_url" ] && dash_args+=(--da "$da_url")
  [ -n "$da_url" ] && [ -s "$dir/da/read.token" ] && dash_args+=(--da-token-file "$dir/da/read.token")
  [ -n "$net_env" ] && dash_args+=(--coordinator "$coord_url")
  start_bg dashboard 0 "$dir/logs/dashboard-0.log" node bin/dsdn-node.js dashboard "${dash_args[@]}"
  dashboard_url="http://127.0.0.1:$dashboard_port"
  for _ in $(seq 1 60); do curl -s --max-time 2 -o /dev/null "$dashboard_url/" && break; sleep 0.5; done
  alive "$dir/pids/dashboard-0.pid" || fail "dashboard exited during startup"
  dash_env="export DASHBOARD_URL=$dashboard_url"
  write_env
fi

say "localnet is up: $validators validators, height $h"
echo "  chain id     $chain_id"
echo "  RPC          $rpcs"
echo "  REST (LCD)   $rest_url (Keplr chain info: $dir/keplr-chain.json)"
[ -n "$da_url" ] && echo "  DA           $da_url (tokens in $dir/da/)"
[ -n "$da_url" ] && echo "  DA emergency $da_emergency_url (fallback router's last rung; tokens in $dir/da-emergency/)"
if [ -n "$net_env" ]; then
  echo "  coordinator  $coord_url (key $coord_key)"
  echo "  ingress      http://127.0.0.1:$ingress_port (IPFS trustless gateway: /ipfs/{cid})"
  echo "  S3 gateway   http://127.0.0.1:$s3_port (credentials: $dir/s3/credentials.json)"
  echo "  storage      $storage_nodes nodes: $storage_urls"
  echo "  microvm      ${microvm_of[*]:-none} (per storage node; LOCALNET_MICROVM)"
  echo "  dsdn config  $dir/dsdn/config.json (DSDN_CONFIG in the env file)"
fi
[ -n "$dash_env" ] && echo "  dashboard    $dashboard_url"
echo "  accounts     $dir/accounts.json (funded, development only)"
echo "  env          . $dir/env"
echo "  logs         $dir/logs/"
echo "  stop         localnet/stop.sh"
