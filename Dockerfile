# Multi-stage build of a small runtime image holding fipscan.
# (No Docker engine runs on the development machines; this file is for
# users' pipelines.)
FROM rust:1-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY signatures ./signatures
COPY schema ./schema
RUN cargo build --release --locked && strip target/release/fipscan

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/fipscan /usr/local/bin/fipscan
ENTRYPOINT ["/usr/local/bin/fipscan"]
CMD ["--help"]
