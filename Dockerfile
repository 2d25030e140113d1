# plimsoll's own image: one static (musl) binary on an empty base. No shell, no package
# manager, a numeric non-root user, an exec-form entrypoint. By default it serves (the
# server and admission deployments in deploy/ run it); any other command works the same way:
#   docker build -t plimsoll .
#   docker run --rm plimsoll scan registry.example/app:1.0
FROM rust:1.95-slim-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends musl-tools=1.2.3-1 ca-certificates=20230311 \
 && rm -rf /var/lib/apt/lists/* \
 && rustup target add x86_64-unknown-linux-musl
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY docs docs
COPY crates crates
RUN cargo build --release --locked --target x86_64-unknown-linux-musl -p plimsoll \
 && install -D -m 0755 target/x86_64-unknown-linux-musl/release/plimsoll /out/usr/local/bin/plimsoll \
 && install -d -m 0755 /out/data /out/cache

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/usr/local/bin/plimsoll /usr/local/bin/plimsoll
COPY --from=build --chown=65532:65532 /out/data /data
COPY --from=build --chown=65532:65532 /out/cache /cache
ENV PLIMSOLL_DB=/data/vuln.db \
    PLIMSOLL_CACHE_DIR=/cache \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
USER 65532:65532
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s CMD ["/usr/local/bin/plimsoll", "health", "http://127.0.0.1:8080/healthz"]
ENTRYPOINT ["/usr/local/bin/plimsoll"]
CMD ["serve", "--listen", "0.0.0.0:8080"]
