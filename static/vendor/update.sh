#!/usr/bin/env bash
# Refreshes the vendored map libraries from their npm packages (no CDN at run time).
# Usage: static/vendor/update.sh [leaflet-version] [markercluster-version]
set -euo pipefail
cd "$(dirname "$0")"
LEAFLET="${1:-1.9.4}"
CLUSTER="${2:-1.5.3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "leaflet@$LEAFLET" "leaflet.markercluster@$CLUSTER" >/dev/null)
tar xzf "$work/leaflet-$LEAFLET.tgz" -C "$work" && mv "$work/package" "$work/leaflet"
tar xzf "$work/leaflet.markercluster-$CLUSTER.tgz" -C "$work" && mv "$work/package" "$work/cluster"

rm -rf leaflet leaflet.markercluster
mkdir -p leaflet/images leaflet.markercluster
# Source maps are kept because the minified files reference them (collectstatic checks).
cp "$work"/leaflet/dist/{leaflet.js,leaflet.js.map,leaflet.css} leaflet/
cp "$work"/leaflet/dist/images/*.png leaflet/images/
cp "$work"/leaflet/LICENSE leaflet/
cp "$work"/cluster/dist/{leaflet.markercluster.js,leaflet.markercluster.js.map} leaflet.markercluster/
cp "$work"/cluster/dist/{MarkerCluster.css,MarkerCluster.Default.css} leaflet.markercluster/
cp "$work"/cluster/MIT-LICENCE.txt leaflet.markercluster/LICENSE
printf 'leaflet %s\nleaflet.markercluster %s\n' "$LEAFLET" "$CLUSTER" > VERSIONS
