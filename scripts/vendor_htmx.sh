#!/bin/sh
# Vendor a pinned htmx build into static/vendor/ and verify its checksum.
# Usage: sh scripts/vendor_htmx.sh   (needs npm, tar, sha256sum)
set -eu

VERSION=2.0.11
SHA256=d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST="$ROOT/static/vendor"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM

cd "$TMP"
npm pack --silent "htmx.org@$VERSION" >/dev/null
tar -xzf "htmx.org-$VERSION.tgz" package/dist/htmx.min.js package/LICENSE

printf '%s  %s\n' "$SHA256" package/dist/htmx.min.js | sha256sum -c -

mkdir -p "$DEST"
install -m 0644 package/dist/htmx.min.js "$DEST/htmx-$VERSION.min.js"
install -m 0644 package/LICENSE "$DEST/htmx-LICENSE.txt"

cd "$DEST"
printf '%s  %s\n' "$SHA256" "htmx-$VERSION.min.js" | sha256sum -c -
