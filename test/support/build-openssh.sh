#!/usr/bin/env bash
# Builds the newest OpenSSH 10.x that Debian's archive has (its development suite first, then stable)
# from the upstream tarball of Debian's own source package, without PAM, into a cache directory that
# later runs reuse. The tests use its sshd as the second real OpenSSH peer and its ssh, `ssh -G` and
# `ssh -Q` as the 10.x oracles.
#
#   bash test/support/build-openssh.sh        # prints the install prefix on stdout when it is ready
#
# Cache: $TSSH_OPENSSH_CACHE, default ${XDG_CACHE_HOME:-$HOME/.cache}/tssh/openssh. A finished build
# is marked by PREFIX/.built; a half-finished one is built again. The tarball is checked against the
# SHA-256 in the signed Sources index apt fetched, so a mirror cannot slip in other code.
set -euo pipefail
cache=${TSSH_OPENSSH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tssh/openssh}
mkdir -p "$cache"

say() { echo "build-openssh: $*" >&2; }

# An earlier build of any 10.x is good enough when the archive cannot be reached.
newest_built() { ls -d "$cache"/openssh-10.*/.built 2>/dev/null | sed 's|/.built$||' | sort -V | tail -n 1; }

apt_dir="$cache/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/parts"
cat >"$apt_dir/parts/openssh-src.sources" <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: sid trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
apt_opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$apt_dir/parts"
  -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o "APT::Get::List-Cleanup=0")
mkdir -p "$apt_dir/cache/archives/partial"

# Refresh the Sources index at most once a day; offline, fall back to what was built before.
stamp="$apt_dir/updated"
if [[ ! -f $stamp || -n $(find "$stamp" -mmin +1440) ]]; then
  if timeout 300 apt-get "${apt_opts[@]}" -qq update </dev/null >/dev/null 2>&1; then
    touch "$stamp"
  else
    say "cannot refresh Debian's Sources index"
  fi
fi

# "upstream-version sha256 size" for every openssh source version the index lists, newest first.
candidates=$(apt-cache "${apt_opts[@]}" showsrc openssh 2>/dev/null | awk '
  /^Package: / { pkg = $2 }
  /^Version: / { ver = $2 }
  /^Checksums-Sha256:/ { in_sums = 1; next }
  /^[^ ]/ { in_sums = 0 }
  in_sums && $3 ~ /\.orig\.tar\.(gz|xz)$/ && pkg == "openssh" {
    up = ver; sub(/^[0-9]+:/, "", up); sub(/-[^-]*$/, "", up)
    print up, $1, $2, $3
  }' | sort -u -k1,1 | sort -rV | grep -E '^10\.' || true)

# Downloads the tarball into $2 and unpacks it there; false (with a message) if that fails.
fetch_source() { # version work-dir sha256 tarball-name
  local version=$1 work=$2 sum=$3 tarball=$4
  say "downloading openssh $version"
  if ! curl -fsL --retry 2 -o "$work/$tarball" "http://deb.debian.org/debian/pool/main/o/openssh/$tarball"; then
    say "openssh $version: the archive does not serve $tarball"
    return 1
  fi
  if ! echo "$sum  $work/$tarball" | sha256sum -c --status; then
    say "openssh $version: $tarball does not match the signed index; not building it"
    return 1
  fi
  tar -xf "$work/$tarball" -C "$work"
}

configure_source() { # source-dir prefix log
  (cd "$1" && ./configure --prefix="$2" --sysconfdir="$2/etc" --with-privsep-path=/run/sshd \
    --with-privsep-user=sshd --without-pam --without-kerberos5 --without-selinux --with-security-key-builtin=no \
    >"$3" 2>&1) || { tail -n 30 "$3" >&2; return 1; }
}

# The regress suite's dummy security-key provider (a top-level make target in portable; the Makefile in
# regress/misc/sk-dummy is OpenBSD's), for the sk-* key tests: ssh-keygen -w, ssh-add -S, SecurityKeyProvider.
build_sk_dummy() { # source-dir prefix
  if make -C "$1" openbsd-compat/libopenbsd-compat.a regress/misc/sk-dummy/sk-dummy.so >"$1/sk-dummy.log" 2>&1; then
    cp "$1/regress/misc/sk-dummy/sk-dummy.so" "$2/libexec/sk-dummy.so"
  else
    tail -n 20 "$1/sk-dummy.log" >&2
    say "could not build sk-dummy.so; the security-key tests against 10.x will fail"
    return 1
  fi
}

build_one() { # version sha256 tarball-name
  local version=$1 sum=$2 tarball=$3
  local prefix="$cache/openssh-$version"
  [[ -f $prefix/.built ]] && { echo "$prefix"; return 0; }
  local work
  work=$(mktemp -d "$cache/build.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" RETURN
  fetch_source "$version" "$work" "$sum" "$tarball" || return 1
  say "building openssh $version into $prefix (a few minutes, once)"
  rm -rf "$prefix"
  local src="$work/openssh-$version"
  configure_source "$src" "$prefix" "$work/configure.log" || return 1
  make -C "$src" -j"$(nproc)" >"$work/make.log" 2>&1 || { tail -n 30 "$work/make.log" >&2; return 1; }
  make -C "$src" install-nokeys >"$work/install.log" 2>&1 || { tail -n 30 "$work/install.log" >&2; return 1; }
  build_sk_dummy "$src" "$prefix" || true
  touch "$prefix/.built"
  echo "$prefix"
}

# A build made before sk-dummy.so was built with it: add just that (configure and a few objects).
add_sk_dummy() { # version sha256 tarball-name
  local version=$1 sum=$2 tarball=$3
  local prefix="$cache/openssh-$version"
  [[ -f $prefix/libexec/sk-dummy.so || -f $prefix/.sk-dummy-failed ]] && return 0
  local work
  work=$(mktemp -d "$cache/build.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" RETURN
  say "adding sk-dummy.so to openssh $version"
  fetch_source "$version" "$work" "$sum" "$tarball" && configure_source "$work/openssh-$version" "$prefix" "$work/configure.log" &&
    build_sk_dummy "$work/openssh-$version" "$prefix" || touch "$prefix/.sk-dummy-failed"
}

need_build_tools() {
  local missing=()
  command -v cc >/dev/null || missing+=(build-essential)
  command -v make >/dev/null || missing+=(make)
  [[ -f /usr/include/openssl/evp.h ]] || missing+=(libssl-dev)
  [[ -f /usr/include/zlib.h ]] || missing+=(zlib1g-dev)
  ((${#missing[@]} == 0)) && return 0
  if [[ $(id -u) -ne 0 ]]; then
    say "building OpenSSH 10.x needs: sudo apt-get install -y ${missing[*]}"
    return 1
  fi
  apt-get update -qq </dev/null >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" </dev/null >/dev/null
}

# sshd's privilege-separation user; Debian's openssh-server creates it.
getent passwd sshd >/dev/null || { [[ $(id -u) -eq 0 ]] && useradd --system --no-create-home --home-dir /run/sshd --shell /usr/sbin/nologin sshd; }

while read -r version sum _size tarball; do
  [[ -n ${version:-} ]] || continue
  if [[ -f $cache/openssh-$version/.built ]]; then
    need_build_tools && add_sk_dummy "$version" "$sum" "$tarball"
    echo "$cache/openssh-$version"
    exit 0
  fi
  need_build_tools || break
  build_one "$version" "$sum" "$tarball" && exit 0
done <<<"$candidates"

fallback=$(newest_built)
if [[ -n $fallback ]]; then echo "$fallback"; exit 0; fi
say "no OpenSSH 10.x could be built"
exit 1
