# microdnf, dnf's subcommand aliases, upgrade-minimal.
FROM fedora:39
RUN microdnf install -y tar && microdnf clean all
RUN dnf -y upgrade-minimal && dnf clean all
RUN dnf -y in zip && dnf clean all
USER 10001
