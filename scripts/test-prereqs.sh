#!/usr/bin/env bash
# Installs what the interop tests need and npm cannot provide, from Debian, and only what is missing:
#   zeep  python3-zeep: Python zeep, seen by Debian's /usr/bin/python3 (test/interop/zeep-*.test.ts)
#   mono  mono-devel: Mono's wsdl, mcs and mono, .NET's proxy generator, compiler and runtime
#         (test/interop/mono.test.ts)
# It installs as root, or through sudo when sudo needs no password. When it cannot:
#   - with CI=true (or 1) it fails: CI runs every interop test;
#   - otherwise it warns loudly and exits 0, so that npm test runs without root; the interop tests
#     that need what is missing then skip, each printing "SKIPPED: …" (test/interop/toolkits.ts).
# Another install running (apt, unattended-upgrades, a second npm test) holds the package manager's
# lock: it waits for it, up to PREREQS_LOCK_WAIT seconds (default 600), saying what it waits for,
# instead of failing.
# Usage: scripts/test-prereqs.sh [zeep|mono]...   With no argument: both.
set -euo pipefail
wanted=("$@")
if [ ${#wanted[@]} -eq 0 ]; then wanted=(zeep mono); fi
missing=()
for need in "${wanted[@]}"; do
  case "$need" in
    zeep) /usr/bin/python3 -c 'import zeep' 2>/dev/null || missing+=(python3-zeep) ;;
    mono) { command -v wsdl && command -v mcs && command -v mono; } >/dev/null 2>&1 || missing+=(mono-devel) ;;
    *) echo "scripts/test-prereqs.sh: unknown prerequisite '$need' (zeep or mono)" >&2; exit 2 ;;
  esac
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi

as_root=()
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    case "${CI:-}" in
      [Tt][Rr][Uu][Ee] | 1)
        {
          echo "############################################################################"
          echo "## scripts/test-prereqs.sh: FAILED: ${missing[*]} missing, and CI=true."
          echo "## The interop tests never skip under CI, and $(id -un) is not root and has no"
          echo "## password-less sudo to install it. Run CI as root, or install it first:"
          echo "##   sudo apt-get install ${missing[*]}"
          echo "############################################################################"
        } >&2
        exit 1
        ;;
    esac
    {
      echo "############################################################################"
      echo "## WARNING: ${missing[*]} missing, and $(id -un) is not root (nor has password-less"
      echo "## sudo), so scripts/test-prereqs.sh cannot install it. The interop tests that"
      echo "## need it will be SKIPPED (each says so). To run them:"
      echo "##   sudo apt-get install ${missing[*]}"
      echo "## Under CI=true this is a failure instead."
      echo "############################################################################"
    } >&2
    exit 0
  fi
fi

lock_wait=${PREREQS_LOCK_WAIT:-600}
locks=(/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock)

# Whether another process holds one of the locks: apt and dpkg take fcntl locks, which python3
# tests exactly; fuser (whether a process has the file open) where python3 is missing.
lock_held() {
  local lock
  for lock in "${locks[@]}"; do
    [ -e "$lock" ] || continue
    if [ -x /usr/bin/python3 ]; then
      "${as_root[@]}" /usr/bin/python3 -c 'import fcntl, sys
with open(sys.argv[1], "w") as f:
    try: fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError: sys.exit(1)' "$lock" 2>/dev/null || { echo "$lock"; return 0; }
    elif command -v fuser >/dev/null 2>&1; then
      "${as_root[@]}" fuser "$lock" >/dev/null 2>&1 && { echo "$lock"; return 0; }
    fi
  done
  return 1
}

# Waits (bounded) until no other install holds the package manager's locks.
wait_for_locks() {
  local waited=0 held
  while held=$(lock_held); do
    if [ "$waited" -ge "$lock_wait" ]; then
      echo "scripts/test-prereqs.sh: $held is still held after ${lock_wait}s by another install; giving up" >&2
      exit 1
    fi
    if [ $((waited % 30)) -eq 0 ]; then
      echo "waiting for another install to release $held (${waited}s of at most ${lock_wait}s)" >&2
    fi
    sleep 2
    waited=$((waited + 2))
  done
}

echo "installing ${missing[*]} (Debian) for the interop tests${as_root[*]:+ (with sudo)}" >&2
wait_for_locks
# apt waits for a lock taken between the check and its start, up to the same bound.
apt_get=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o "DPkg::Lock::Timeout=$lock_wait")
"${apt_get[@]}" update -qq >/dev/null
wait_for_locks
"${apt_get[@]}" install -y -qq "${missing[@]}" >/dev/null
