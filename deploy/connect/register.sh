#!/bin/sh
# Registers $CHANGECAST_CONNECTOR_CONFIG on $CHANGECAST_CONNECT_URL with changecast-connect, once
# the worker answers. Runs on the Kafka image: Kafka's jars plus the plugin directory's.
set -eu
CP="/opt/changecast/plugins/changecast-connector/lib/*:/opt/kafka/libs/*"
cli() { java -cp "$CP" io.changecast.connector.cli.ChangecastConnect "$@"; }

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
