#!/usr/bin/env bash
# Installs the freshly built .deb on this machine (apt resolves its Debian dependencies) and runs
# the installed kdw: the package must work outside the build tree.
set -euo pipefail
cd "$(dirname "$0")/.."
deb=$(scripts/package.sh)
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --reinstall "$deb" >/dev/null
/usr/bin/kdw --version
/usr/bin/kdw --help >/dev/null
for verb in prepare distill compress; do /usr/bin/kdw "$verb" --help >/dev/null; done
echo "check-package: $deb installs and /usr/bin/kdw runs"
