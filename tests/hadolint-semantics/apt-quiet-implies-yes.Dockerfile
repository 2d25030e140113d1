# apt-get -qq and -q=2 imply -y (apt-get(8): "quiet level 2 implies -y").
FROM debian:12
RUN apt-get update && apt-get -qq install --no-install-recommends wget=1.21.3-1+b2 && rm -rf /var/lib/apt/lists/*
RUN apt-get update && apt-get -q=2 install --no-install-recommends tar=1.34+dfsg-1.2 && rm -rf /var/lib/apt/lists/*
USER 10001
