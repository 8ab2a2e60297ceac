#!/usr/bin/env bash
# Installs what the interop tests need and npm cannot provide, from Debian, and only what is missing:
#   zeep  python3-zeep: Python zeep, seen by Debian's /usr/bin/python3 (test/interop/zeep-*.test.ts)
#   mono  mono-devel: Mono's wsdl, mcs and mono, .NET's proxy generator, compiler and runtime
#         (test/interop/mono.test.ts)
# It installs as root, or through sudo when sudo needs no password. When it cannot:
#   - with CI=true (or 1) it fails: CI runs every interop test;
#   - otherwise it warns loudly and exits 0, so that npm test runs without root; the interop tests
#     that need what is missing then skip, each printing "SKIPPED: …" (test/interop/toolkits.ts).
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
echo "installing ${missing[*]} (Debian) for the interop tests${as_root[*]:+ (with sudo)}" >&2
"${as_root[@]}" apt-get update -qq >/dev/null
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
