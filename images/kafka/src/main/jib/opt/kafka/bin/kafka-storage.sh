#!/bin/bash
# As in the Kafka distribution: kafka.tools.StorageTool
exec "$(dirname "$0")/kafka-run-class.sh" kafka.tools.StorageTool "$@"
