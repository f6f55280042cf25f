#!/usr/bin/env bash
# Builds the pgwatch image with podman where no image registry is reachable: the base image
# (debian:trixie-slim, the Dockerfile's FROM) is made locally from a debootstrap root
# filesystem, and pip reads a wheelhouse downloaded beforehand instead of PyPI.
# Usage: sudo bash scripts/build_image.sh [TAG]       (default TAG: pgwatch:<version>)
# Needs: debootstrap, podman (Debian packages), a Debian mirror, and pip's index for the
#        wheelhouse. Environment: PGWATCH_ROOTFS (where the root filesystem goes, default
#        /var/tmp/pgwatch-rootfs/trixie), DEBIAN_MIRROR (default http://deb.debian.org/debian).
set -euo pipefail
cd "$(dirname "$0")/.."

base=docker.io/library/debian:trixie-slim
version=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' pgwatch/__init__.py)
tag=${1:-pgwatch:$version}
rootfs=${PGWATCH_ROOTFS:-/var/tmp/pgwatch-rootfs/trixie}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
python=${PYTHON:-.venv/bin/python}

if ! podman image exists "$base"; then
  if [ ! -x "$rootfs/usr/bin/apt-get" ]; then
    echo "build_image: debootstrap trixie into $rootfs" >&2
    debootstrap --variant=minbase trixie "$rootfs" "$mirror" >/dev/null
  fi
  # What the slim images also drop: apt's caches and the documentation.
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin
  echo "build_image: importing $rootfs as $base" >&2
  tar -C "$rootfs" --numeric-owner -c . | podman import - "$base" >/dev/null
fi

# The image's Python (trixie's python3 is 3.13) decides which binary wheels pip needs.
image_python=${IMAGE_PYTHON:-3.13}
wheels=$(mktemp -d)
trap 'rm -rf "$wheels"' EXIT
"$python" -m pip download -q -d "$wheels" --only-binary=:all: \
  --python-version "$image_python" --implementation cp --abi "cp${image_python/./}" \
  --abi abi3 --abi none --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
  --platform manylinux2014_x86_64 --platform any . setuptools
echo "build_image: building $tag (Python $image_python, $(ls "$wheels" | wc -l) wheels)" >&2
# Docker format: an OCI image has no HEALTHCHECK. PGWATCH_BUILD_ISOLATION=chroot where the OCI
# runtime cannot start a container (no CAP_SYS_RESOURCE to set its rlimits).
podman build --format docker --pull=never --isolation="${PGWATCH_BUILD_ISOLATION:-oci}" -v "$wheels:/wheels:ro" \
  --build-arg PIP_NO_INDEX=1 --build-arg PIP_FIND_LINKS=/wheels -t "$tag" . >&2
echo "$tag"
