#!/bin/bash
# kafka-run-class.sh CLASS [ARGS]: runs a class of Kafka's jars (/app/libs) like the Kafka
# distribution's script of the same name. KAFKA_HEAP_OPTS and KAFKA_OPTS add JVM options.
class="${1:?usage: kafka-run-class.sh CLASS [ARGS]}"
shift
# shellcheck disable=SC2086
exec java ${KAFKA_HEAP_OPTS:-} ${KAFKA_JVM_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC} ${KAFKA_OPTS:-} \
  -Dlogback.configurationFile=/etc/changecast/logback.xml \
  -cp '/app/resources:/app/libs/*' "$class" "$@"
