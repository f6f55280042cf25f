# pgwatch as a container: `pgwatch run` against a config mounted at /etc/pgwatch/config.yaml.
#   docker build -t pgwatch .
#   docker run -v ./config.yaml:/etc/pgwatch/config.yaml:ro -p 9187:9187 pgwatch
# In that config: http.listen 0.0.0.0:9187 (reachable from outside the container) and
# store.path /var/lib/pgwatch/pgwatch.db (a relative path is the config's directory, which is
# read-only here); mount a volume on /var/lib/pgwatch to keep the history.
# scripts/build_image.sh builds it with buildah/podman from a Debian root filesystem.

ARG BASE_IMAGE=debian:trixie-slim

# Stage 1: build the wheel and install it, with its dependencies, into a virtualenv.
FROM ${BASE_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml setup.py MANIFEST.in README.md ./
COPY pgwatch ./pgwatch
COPY rules ./rules
COPY dashboards ./dashboards
COPY docs/runbooks.md ./docs/runbooks.md
# pip reads PyPI; for an offline build, mount a wheelhouse and pass
# --build-arg PIP_NO_INDEX=1 --build-arg PIP_FIND_LINKS=/wheels (scripts/build_image.sh does).
ARG PIP_NO_INDEX
ARG PIP_FIND_LINKS
RUN python3 -m venv /opt/pgwatch \
 && /opt/pgwatch/bin/pip install --no-cache-dir --disable-pip-version-check . \
 && /opt/pgwatch/bin/pgwatch --version

# Stage 2: the interpreter, the virtualenv and nothing else; runs as an unprivileged user.
FROM ${BASE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 pgwatch \
 && useradd --system --uid 10001 --gid pgwatch --home-dir /var/lib/pgwatch \
      --shell /usr/sbin/nologin pgwatch \
 && install -d -o pgwatch -g pgwatch -m 0750 /var/lib/pgwatch \
 && install -d -m 0755 /etc/pgwatch
COPY --from=build /opt/pgwatch /opt/pgwatch
ENV PATH=/opt/pgwatch/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PGWATCH_HEALTH_URL=http://127.0.0.1:9187/healthz
USER 10001:10001
WORKDIR /var/lib/pgwatch
VOLUME ["/var/lib/pgwatch"]
EXPOSE 9187
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python3", "-c", "import os, sys, urllib.request; sys.exit(urllib.request.urlopen(os.environ['PGWATCH_HEALTH_URL'], timeout=4).status != 200)"]
ENTRYPOINT ["pgwatch", "run", "--config", "/etc/pgwatch/config.yaml"]
CMD ["--log-format", "json"]
