# hadolint global ignore=DL3006
# Pragmas: a list with codes hadolint does not know, a global ignore, and
# plimsoll's own spelling.
FROM debian
# hadolint ignore=DL3008,DL9999,SC2086
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
# plimsoll ignore=DF001
RUN apt-get update && apt-get install -y --no-install-recommends wget && rm -rf /var/lib/apt/lists/*
FROM debian:12 AS second
RUN apt-get update && apt-get install -y --no-install-recommends tar && rm -rf /var/lib/apt/lists/*
USER 10001
