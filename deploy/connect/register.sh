#!/bin/sh
# Registers $CHANGECAST_CONNECTOR_CONFIG on $CHANGECAST_CONNECT_URL with changecast-connect, once
# the worker answers. Runs on the changecast/connect image (/opt/changecast/bin/register.sh).
set -eu
cli() { /opt/changecast/bin/changecast-connect "$@"; }

tries=0
until cli status > /dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -ge 90 ]; then
    echo "Kafka Connect at $CHANGECAST_CONNECT_URL did not answer" >&2
    exit 1
  fi
  sleep 2
done
cli deploy "$CHANGECAST_CONNECTOR_CONFIG"
cli status
