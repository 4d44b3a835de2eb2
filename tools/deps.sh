#!/bin/sh
# Installs what mercato needs to build, run and test: the Debian packages
# named on the command line (only those missing) and the npm packages pinned
# in package-lock.json.  As a non-root user it names what is missing instead.
set -e
missing=""
for p in "$@"; do
	# Node.js and npm may come from elsewhere than Debian (a newer npm is
	# often installed beside it); a working command is enough.
	case "$p" in
	nodejs) command -v node >/dev/null 2>&1 && continue ;;
	npm) command -v npm >/dev/null 2>&1 && continue ;;
	esac
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
	    missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "mercato needs these Debian packages:$missing" >&2
		echo "install them as root: apt-get install$missing" >&2
		exit 1
	fi
	echo "installing Debian packages:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
if [ ! -f node_modules/.package-lock.json ] ||
    [ package-lock.json -nt node_modules/.package-lock.json ]; then
	echo "installing npm packages (npm ci)"
	npm ci --no-audit --no-fund --loglevel=error
fi
