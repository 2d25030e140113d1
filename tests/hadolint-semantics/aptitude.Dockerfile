# aptitude installs from the same archives, with the same name=version pins.
FROM debian:12
RUN apt-get update && aptitude install -y vim && rm -rf /var/lib/apt/lists/*
RUN apt-get update && aptitude install -y --without-recommends curl=7.88.1-10+deb12u8 && rm -rf /var/lib/apt/lists/*
USER 10001
