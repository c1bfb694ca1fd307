# syntax=docker/dockerfile:1
# The armorkit image: one image for the manager (`armorkit k8s webhook ...`) and the node agent (`armorkit k8s agent`);
# the manifests choose the command. Build from the repository root:  docker build -t armorkit/armorkit:0.1.0 .
# (This file is kept correct by reading: the machine it was written on has a docker client but no daemon.)

ARG NODE_VERSION=20.19
ARG DEBIAN=bookworm

# --- builder: the workspace, the native audit scanner, the bundled CLI and the BPF-LSM object -----------------------
FROM node:${NODE_VERSION}-${DEBIAN} AS builder
# clang/llvm/libbpf-dev compile the BPF programs (nodes have no clang); gcc builds core's native audit scanner.
RUN apt-get update \
 && apt-get install -y --no-install-recommends clang llvm libbpf-dev gcc libc6-dev make python3 \
 && rm -rf /var/lib/apt/lists/*
RUN corepack enable && corepack prepare pnpm@9.15.9 --activate
WORKDIR /src
# Manifests first, so the dependency layer is cached until a lockfile or package.json changes.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY packages/core/package.json packages/core/
COPY packages/core/native packages/core/native
COPY packages/builtin-rules/package.json packages/builtin-rules/
COPY packages/plugin-apparmor/package.json packages/plugin-apparmor/
COPY packages/plugin-seccomp/package.json packages/plugin-seccomp/
COPY packages/plugin-bpf/package.json packages/plugin-bpf/
COPY packages/plugin-networkproxy/package.json packages/plugin-networkproxy/
COPY packages/plugin-k8s/package.json packages/plugin-k8s/
COPY packages/plugin-kubearmor/package.json packages/plugin-kubearmor/
COPY packages/kernel-lab/package.json packages/kernel-lab/
COPY packages/cli/package.json packages/cli/
RUN pnpm install --frozen-lockfile
COPY . .
RUN pnpm run build-all
# The BPF object, compiled now into the cache the loader reads (keyed by the sources and the clang version).
RUN cd packages/cli && ARMORKIT_BPF_CACHE=/opt/armorkit/bpf node --input-type=module -e \
    "const { ensureBpfObject } = await import('@armorkit/plugin-bpf/programs'); const built = ensureBpfObject(); if (!built.ok) { console.error(JSON.stringify(built)); process.exit(1); } console.log(built.value.path);"
# A self-contained copy of the CLI with its production dependencies only.
RUN pnpm --filter @armorkit/cli deploy --prod /opt/armorkit/app

# --- runtime ------------------------------------------------------------------------------------------------------
FROM node:${NODE_VERSION}-${DEBIAN}-slim
# apparmor: apparmor_parser, which the agent loads AppArmor profiles with; iptables: the NetworkProxy init container's
# capture rules (the same image is its default); nothing else is installed.
RUN apt-get update \
 && apt-get install -y --no-install-recommends apparmor ca-certificates iptables \
 && rm -rf /var/lib/apt/lists/*
COPY --from=builder /opt/armorkit /opt/armorkit
RUN ln -s /opt/armorkit/app/dist/bin.js /usr/local/bin/armorkit && chmod 0755 /opt/armorkit/app/dist/bin.js
ENV ARMORKIT_BPF_CACHE=/opt/armorkit/bpf NODE_ENV=production
# The manager runs as 65532 (its securityContext says so); the agent as root with the capabilities of its DaemonSet.
USER 65532:65532
ENTRYPOINT ["armorkit"]
CMD ["--help"]
