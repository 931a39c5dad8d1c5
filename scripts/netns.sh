#!/bin/sh
# Runs a command in fresh network and PID namespaces whose only interface is loopback (root needed).
# Nothing it starts can reach beyond 127.0.0.1, and killing this script's process (or the command
# ending) kills everything left inside. Usage: scripts/netns.sh COMMAND [ARGS...]
exec unshare --net --pid --fork --kill-child --mount-proc \
	sh -c 'ip link set lo up && exec "$@"' netns "$@"
