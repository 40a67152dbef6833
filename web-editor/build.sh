#!/bin/sh
# Build the browser assets into ../loopcoach/web/static/ (committed output).
# Usage: npm install && npm run build   (Node 20)
set -eu
cd "$(dirname "$0")"

OUT=../loopcoach/web/static
mkdir -p "$OUT"

./node_modules/.bin/esbuild src/editor.js \
  --bundle \
  --minify \
  --format=iife \
  --target=es2020 \
  --legal-comments=none \
  --metafile=node_modules/.editor-meta.json \
  --outfile="$OUT/editor.js"

cp node_modules/htmx.org/dist/htmx.min.js "$OUT/htmx.min.js"

# The bundle is minified, so keep the licence notices of every package that
# ended up inside it (or was copied) in one text file next to it.
node ./collect-licenses.mjs node_modules/.editor-meta.json htmx.org > "$OUT/THIRD_PARTY_LICENSES.txt"

ls -l "$OUT/editor.js" "$OUT/htmx.min.js" "$OUT/THIRD_PARTY_LICENSES.txt"
