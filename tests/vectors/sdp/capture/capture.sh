#!/bin/sh
# Refreshes the browser SDP vectors in tests/vectors/sdp/ from Chromium and Firefox ESR (Debian
# packages) over 127.0.0.1: their publish offers, whether they accept plenum's answers, and their
# answers to plenum's subscribe offer. Run from the repository root: tests/vectors/sdp/capture/capture.sh
set -eu
here=tests/vectors/sdp/capture
out=tests/vectors/sdp
port=${PORT:-18757}
tmp=$(mktemp -d)
cc -std=c11 -D_GNU_SOURCE -Isrc -o "$tmp/sdptool" "$here/sdptool.c" src/sdp/*.c
/usr/bin/python3 "$here/server.py" "$port" "$tmp" "$tmp/sdptool" &
srv=$!
trap 'kill $srv 2>/dev/null; rm -rf "$tmp"' EXIT
sleep 1

wait_done() {   # $1 browser name, $2 browser pid
	i=0
	while [ ! -f "$tmp/$1-done" ] && [ $i -lt 60 ]; do sleep 1; i=$((i + 1)); done
	kill "$2" 2>/dev/null || true
	wait "$2" 2>/dev/null || true
	[ -f "$tmp/$1-done" ] && echo "$1: $(cat "$tmp/$1-done")" || echo "$1: timed out"
}

if command -v chromium >/dev/null; then
	chromium --headless --no-sandbox --disable-gpu --use-fake-device-for-media-stream \
		--use-fake-ui-for-media-stream --disable-background-networking --disable-component-update \
		--disable-sync --no-first-run --user-data-dir="$tmp/chromium-profile" \
		"http://127.0.0.1:$port/page.html?b=chromium" >"$tmp/chromium.log" 2>&1 &
	wait_done chromium $!
fi
if command -v firefox-esr >/dev/null; then
	mkdir -p "$tmp/firefox-profile"
	cat >"$tmp/firefox-profile/user.js" <<'JS'
user_pref("media.navigator.streams.fake", true);
user_pref("media.navigator.permission.disabled", true);
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("app.update.enabled", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
JS
	firefox-esr --headless --profile "$tmp/firefox-profile" "http://127.0.0.1:$port/page.html?b=firefox" \
		>"$tmp/firefox.log" 2>&1 &
	wait_done firefox $!
fi
for f in "$tmp"/*.sdp "$tmp"/*-results.txt; do
	[ -f "$f" ] && cp "$f" "$out/"
done
cat "$out"/*-results.txt
