# What is under a cache or tmpfs mount never reaches the layer.
FROM debian:12
RUN --mount=type=cache,target=/var/cache/apt --mount=type=cache,target=/var/lib/apt/lists \
    apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8
RUN --mount=type=cache,target=/root/.cache/pip pip install requests==2.31.0
RUN --mount=type=tmpfs,target=/var/cache/apk apk add --no-cache tzdata=2024a-r0 || true
USER 10001
