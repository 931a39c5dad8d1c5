#!/bin/sh
# Refreshes the browser SDP vectors in tests/vectors/sdp/ from the running server: Chromium's and
# Firefox ESR's publish offers, the answers plenum gave them and whether they took them, and their
# answers to plenum's subscribe offer (capture.mjs), in a loopback-only namespace. Run from the
# repository root after `make`: tests/vectors/sdp/capture/capture.sh  (PLENUM_BIN picks the binary).
# With --check it writes nothing and fails when a browser refuses what the server writes now.
set -eu
exec ./scripts/netns.sh node tests/vectors/sdp/capture/capture.mjs "$@"
