#!/bin/sh
# What the Python packages cannot bring: a CJK font (guides, receipts and case documents as PDF
# show Chinese), Pango (WeasyPrint's text layout) and HarfBuzz's subsetter (fast font subsetting).
# Installed with apt when missing and we may; otherwise a warning.
missing=""
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then missing="$missing fonts-noto-cjk"; fi
if ! ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so'; then missing="$missing libpango-1.0-0 libpangoft2-1.0-0"; fi
# HarfBuzz's subsetter: without it WeasyPrint subsets the CJK font with fontTools, ~10 s a page.
if ! ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset.so'; then missing="$missing libharfbuzz-subset0"; fi
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing system packages:$missing"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
    echo "WARNING: missing system packages:$missing — PDF downloads will not render Chinese until an" >&2
    echo "administrator installs them (Debian/Ubuntu: apt-get install$missing)." >&2
fi
