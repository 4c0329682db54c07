#!/usr/bin/env bash
# Makes sure the programs the tests drive are installed: OpenSSH's server and client (the real peer and
# the oracles), Dropbear (a second real peer), curl and nc (tunnel tests), xauth (X11 forwarding), wabt (checks the committed
# Poly1305 WebAssembly against its source), GNU time (benchmarks), and the programs that drive ssh in
# test/integration/programs.test.ts (git, rsync, git-annex, ansible, mosh). Installs with apt-get as root;
# otherwise prints the command to run. Quiet when everything is already there.
set -euo pipefail
declare -A package_for=(
  [/usr/sbin/sshd]=openssh-server [/usr/bin/ssh]=openssh-client [/usr/bin/ssh-keygen]=openssh-client
  [/usr/sbin/dropbear]=dropbear-bin [/usr/bin/dropbearkey]=dropbear-bin [/usr/bin/curl]=curl
  [/usr/bin/nc]=netcat-openbsd [/usr/bin/wat2wasm]=wabt [/usr/bin/time]=time [/usr/bin/openssl]=openssl
  [/usr/bin/top]=procps [/usr/bin/xauth]=xauth
  [/usr/lib/openssh/regress/run-tests]=openssh-tests
  [/usr/bin/ssh-agent]=openssh-client [/usr/bin/ssh-add]=openssh-client
  [/usr/sbin/useradd]=passwd [/usr/sbin/chpasswd]=passwd
)
# The programs are installed without their recommendations (git-annex's alone are gnupg, aria2, bind9-host
# and more that no test needs).
declare -A program_for=(
  [/usr/bin/git]=git [/usr/bin/rsync]=rsync [/usr/bin/git-annex]=git-annex [/usr/bin/ansible]=ansible-core
  [/usr/bin/mosh]=mosh [/usr/bin/mosh-server]=mosh
)
install_missing() {
  local -n wanted=$1
  shift
  local missing=() tool
  for tool in "${!wanted[@]}"; do
    [[ -x $tool ]] || missing+=("${wanted[$tool]}")
  done
  ((${#missing[@]} > 0)) || return 0
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  if [[ $(id -u) -ne 0 ]]; then
    echo "The tests need: sudo apt-get install -y $* ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing test dependencies: ${missing[*]}"
  [[ -n ${apt_updated:-} ]] || apt-get update -qq </dev/null
  apt_updated=1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" "${missing[@]}" </dev/null >/dev/null
}
install_missing package_for
install_missing program_for --no-install-recommends
# sshd's privilege separation directory; the Debian package creates it only when the service starts.
if [[ ! -d /run/sshd ]]; then
  mkdir -p /run/sshd 2>/dev/null || { echo "Please create /run/sshd: sudo mkdir -p /run/sshd" >&2; exit 1; }
fi
# The second OpenSSH peer: the newest 10.x in Debian's archive, built once into a cache (a few minutes
# the first time, nothing afterwards).
bash "$(dirname "$0")/build-openssh.sh" >/dev/null
