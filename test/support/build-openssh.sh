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

build_one() { # version sha256 tarball-name
  local version=$1 sum=$2 tarball=$3
  local prefix="$cache/openssh-$version"
  [[ -f $prefix/.built ]] && { echo "$prefix"; return 0; }
  local work
  work=$(mktemp -d "$cache/build.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" RETURN
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
  say "building openssh $version into $prefix (a few minutes, once)"
  rm -rf "$prefix"
  (
    cd "$work/openssh-$version"
    ./configure --prefix="$prefix" --sysconfdir="$prefix/etc" --with-privsep-path=/run/sshd \
      --with-privsep-user=sshd --without-pam --without-kerberos5 --without-selinux --with-security-key-builtin=no \
      >"$work/configure.log" 2>&1 || { tail -n 30 "$work/configure.log" >&2; exit 1; }
    make -j"$(nproc)" >"$work/make.log" 2>&1 || { tail -n 30 "$work/make.log" >&2; exit 1; }
    make install-nokeys >"$work/install.log" 2>&1 || { tail -n 30 "$work/install.log" >&2; exit 1; }
    # The regress suite's dummy security-key provider, for sk-* key tests.
    make -C regress/misc/sk-dummy sk-dummy.so >/dev/null 2>&1 && cp regress/misc/sk-dummy/sk-dummy.so "$prefix/libexec/" || true
  ) || return 1
  touch "$prefix/.built"
  echo "$prefix"
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
  if [[ -f $cache/openssh-$version/.built ]]; then echo "$cache/openssh-$version"; exit 0; fi
  need_build_tools || break
  build_one "$version" "$sum" "$tarball" && exit 0
done <<<"$candidates"

fallback=$(newest_built)
if [[ -n $fallback ]]; then echo "$fallback"; exit 0; fi
say "no OpenSSH 10.x could be built"
exit 1
