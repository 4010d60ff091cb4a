#!/usr/bin/env bash
# Regenerates common-passwords.txt.gz, the list that CommonPasswordValidator checks:
# the union of two public lists, each entry lowercased and stripped as Django does
# (Python's str.lower and str.strip), deduplicated, sorted by code point, one a line.
#
# Sources (pass their paths as the two arguments):
#  1. Django's own list, django/contrib/auth/common-passwords.txt.gz (19,726 entries,
#     compiled by Royce Williams), BSD-3-Clause, (c) Django Software Foundation.
#     Taken from Debian's python3-django 3:3.2.25-0+deb12u7:
#       apt-get download python3-django && dpkg-deb -x python3-django_*.deb dj
#       → dj/usr/lib/python3/dist-packages/django/contrib/auth/common-passwords.txt.gz
#  2. zxcvbn 4.4.2's "passwords" frequency list (30,000 entries), MIT,
#     (c) 2012-2016 Dan Wheeler and Dropbox, Inc.:
#       npm pack zxcvbn@4.4.2 && tar xzf zxcvbn-4.4.2.tgz
#       → package/lib/frequency_lists.js
#
# Usage: domain/policy/common-passwords.sh DJANGO_LIST_GZ ZXCVBN_FREQUENCY_LISTS_JS
# Needs gzip, node and python3. Update the count in common.go after a change.
set -euo pipefail

usage="usage: $0 DJANGO_LIST_GZ ZXCVBN_FREQUENCY_LISTS_JS"
django=${1:?$usage}
zxcvbn=${2:?$usage}
out=$(dirname "$0")/common-passwords.txt.gz

{
	gzip -dc "$django"
	# The frequency list is a CommonJS module; require needs an absolute path.
	node -e 'process.stdout.write(require(process.argv[1]).passwords.join("\n") + "\n")' \
		"$(cd "$(dirname "$zxcvbn")" && pwd)/$(basename "$zxcvbn")"
} | PYTHONIOENCODING=utf-8 python3 -c '
import sys
words = {line.lower().strip() for line in sys.stdin.read().split("\n")}
words.discard("")
sys.stdout.write("".join(w + "\n" for w in sorted(words)))
' | gzip -9n >"$out.tmp"
# Replace only on success so a failed run leaves the old list in place.
mv "$out.tmp" "$out"
echo "$(gzip -dc "$out" | wc -l) entries in $out"
