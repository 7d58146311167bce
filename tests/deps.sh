#!/bin/sh
# tests/deps.sh - install the Debian packages named as arguments that are
# missing (make deps passes the Makefile's DEPS).  As root: apt-get update
# once, then apt-get install; as another user: print the command and fail.
# A package counts as present when dpkg has it or when a command of its
# name is on the PATH (npm, say, comes with a nodejs from elsewhere, and
# Debian's npm conflicts with that nodejs).
missing=
for p in "$@"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
	    grep -q 'install ok installed' || command -v "$p" >/dev/null 2>&1 ||
	    missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "deps: all installed"
elif [ "$(id -u)" = 0 ]; then
	echo "apt-get install$missing"
	apt-get update -qq &&
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
else
	echo "deps: run as root: apt-get install$missing" >&2
	exit 1
fi
