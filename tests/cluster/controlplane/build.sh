#!/usr/bin/env bash
# Build etcd, kube-apiserver and kube-controller-manager once per version into the user's cache
# and link the result from .tools/controlplane. A clean checkout on the same machine (CI) finds
# the cached binaries and builds nothing. Needs Go and the Go module proxy; see README.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"

k8s_version="$(cd "$here" && go list -m -f '{{.Version}}' k8s.io/kubernetes)"
etcd_version="$(cd "$here" && go list -m -f '{{.Version}}' go.etcd.io/etcd/server/v3)"
cache_root="${AURA_CONTROLPLANE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/aura-operator/controlplane}"
target="$cache_root/kubernetes-$k8s_version-etcd-$etcd_version"
link="$repo/.tools/controlplane"

binaries=(etcd kube-apiserver kube-controller-manager)
complete() { for b in "${binaries[@]}"; do [ -x "$target/$b" ] || return 1; done; }

if ! complete; then
    mkdir -p "$cache_root"
    exec 9>"$cache_root/.lock"
    flock 9  # another checkout may be building the same version: wait for it
fi
if ! complete; then
    echo "building the control plane (Kubernetes $k8s_version, etcd $etcd_version) into $target"
    echo "a cold build takes 8 (quiet) to 25 (loaded) minutes on 2 cores; later runs reuse the cache"
    scratch="$(mktemp -d "$cache_root/.build-XXXXXX")"
    trap 'rm -rf "$scratch"' EXIT
    minor="${k8s_version#v1.}"; minor="${minor%%.*}"
    pkg=k8s.io/component-base/version
    ldflags="-s -w -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags="$ldflags -X $pkg.gitTreeState=clean"
    start=$SECONDS
    (
        cd "$here"
        go build -trimpath -ldflags "$ldflags" -o "$scratch/" \
            k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager
        go build -trimpath -ldflags "-s -w" -o "$scratch/etcd" go.etcd.io/etcd/server/v3
    )
    echo "built in $((SECONDS - start)) s"
    rm -rf "$target"
    mv "$scratch" "$target"
    trap - EXIT
fi

mkdir -p "$repo/.tools"
ln -sfn "$target" "$link"
echo "$link -> $target"
