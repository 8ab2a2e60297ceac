#!/usr/bin/env bash
# Installs what the interop tests need and npm cannot provide, from Debian, and only what is missing:
#   zeep  python3-zeep: Python zeep, seen by Debian's /usr/bin/python3 (test/interop/zeep-*.test.ts)
#   mono  mono-devel: Mono's wsdl, mcs and mono, .NET's proxy generator, compiler and runtime
#         (test/interop/mono.test.ts)
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
if [ "$(id -u)" != 0 ]; then
  echo "${missing[*]} missing: run 'sudo apt-get install ${missing[*]}' (the interop tests need it)" >&2
  exit 1
fi
echo "installing ${missing[*]} (Debian) for the interop tests" >&2
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
