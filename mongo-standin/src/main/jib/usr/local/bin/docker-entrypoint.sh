#!/bin/sh
# Entrypoint of changecast/mongo-standin, like mongo:7's: runs the command it is given
# (mongod ... or mongosh ...; mongod when none is given).
set -e
if [ "$#" -eq 0 ]; then
  set -- mongod
fi
exec "$@"
