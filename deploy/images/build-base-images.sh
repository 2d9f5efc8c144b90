#!/usr/bin/env bash
# Builds, from Debian's packages and without any container registry, the images that this
# machine cannot pull:
#   changecast/jre-base:17        Debian bookworm (minbase) + OpenJDK 17 JRE: the base the
#                                 Changecast images are built on here (-Dimages.base=docker://…)
#   changecast/prometheus:debian  the same + Debian's prometheus, the stand-in for prom/prometheus
# Each is skipped when the Docker engine already has it. Needs root, debootstrap and Docker.
# Usage: deploy/images/build-base-images.sh [debian-mirror]   (default: the mirror apt uses)
set -euo pipefail

BASE=changecast/jre-base:17
PROMETHEUS=changecast/prometheus:debian

have() { docker image inspect "$1" > /dev/null 2>&1; }
if have "$BASE" && have "$PROMETHEUS"; then
  echo "base images present: $BASE $PROMETHEUS"
  exit 0
fi

mirror="${1:-}"
if [ -z "$mirror" ]; then
  mirror=$(grep -hoE '(URIs:|deb) +https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null \
    | grep -oE 'https?://[^ ]+' | head -1 || true)
fi
mirror="${mirror:-http://deb.debian.org/debian}"

root=$(mktemp -d /var/tmp/changecast-rootfs.XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "debootstrap bookworm from $mirror into $root"
debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates bookworm "$root" "$mirror" > "$root.log" 2>&1 \
  || { tail -20 "$root.log" >&2; exit 1; }
rm -f "$root.log"
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/*

if ! have "$BASE"; then
  tar -C "$root" -c . | docker import \
    --change 'ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64' \
    --change 'ENV LANG=C.UTF-8' \
    - "$BASE"
fi

if ! have "$PROMETHEUS"; then
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  mount -t proc proc "$root/proc"
  chroot "$root" sh -c 'apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends prometheus && apt-get clean' > /dev/null \
    || { umount "$root/proc"; exit 1; }
  umount "$root/proc"
  rm -rf "$root"/var/lib/apt/lists/*
  mkdir -p "$root/prometheus" && chown 65534:65534 "$root/prometheus"
  tar -C "$root" -c . | docker import \
    --change 'USER 65534' \
    --change 'WORKDIR /prometheus' \
    --change 'EXPOSE 9090' \
    --change 'ENTRYPOINT ["/usr/bin/prometheus"]' \
    --change 'CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]' \
    - "$PROMETHEUS"
fi
echo "built: $BASE $PROMETHEUS"
