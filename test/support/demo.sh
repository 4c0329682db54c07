#!/usr/bin/env bash
# A five-minute tour of tssh against a real OpenSSH server on this machine.
#
#   npm run demo                 # builds, then runs this script with bin/tssh
#   TSSH=ssh bash test/support/demo.sh   # the same tour with OpenSSH's client, for comparison
#
# It starts a throwaway sshd on 127.0.0.1 (its own host key, user key and config in a temp dir), runs
# a few commands through the client, and removes everything on exit. Your ~/.ssh is never read or
# written: the client gets -F /dev/null, its own known_hosts file and an explicit key.
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TSSH="${TSSH:-$REPO/bin/tssh}"
SSHD=/usr/sbin/sshd

if [[ -t 1 ]]; then B=$'\033[1m' G=$'\033[32m' R=$'\033[31m' N=$'\033[0m'; else B="" G="" R="" N=""; fi
bold() { printf '%s%s%s\n' "$B" "$*" "$N"; }
ok() { printf '  %sok%s   %s\n' "$G" "$N" "$*"; }
bad() { printf '  %sFAIL%s %s\n' "$R" "$N" "$*"; FAILED=$((FAILED + 1)); }
FAILED=0

# --- OpenSSH server -------------------------------------------------------------------------------
if [[ ! -x $SSHD ]] || ! command -v ssh-keygen >/dev/null; then
  if [[ $(id -u) -eq 0 ]]; then
    bold "Installing openssh-server (needed for the demo's local server)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server openssh-client \
      || { echo "apt-get failed" >&2; exit 1; }
  else
    echo "The demo needs OpenSSH's server. Install it with:" >&2
    echo "  sudo apt-get install -y openssh-server" >&2
    exit 1
  fi
fi
if [[ ! -d /run/sshd ]]; then
  # sshd's privilege separation directory; the package creates it only when the service starts.
  mkdir -p /run/sshd 2>/dev/null || { echo "Please create /run/sshd: sudo mkdir -p /run/sshd" >&2; exit 1; }
fi

DIR="$(mktemp -d "${TMPDIR:-/tmp}/tssh-demo.XXXXXX")"
SSHD_PID=""
TUNNEL_PID=""
cleanup() {
  local pid
  for pid in $TUNNEL_PID $SSHD_PID; do
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  done
  rm -rf "$DIR"
}
trap cleanup EXIT

ssh-keygen -q -t ed25519 -N '' -C demo-host -f "$DIR/host_ed25519"
ssh-keygen -q -t ed25519 -N '' -C demo-user -f "$DIR/id_ed25519"
cp "$DIR/id_ed25519.pub" "$DIR/authorized_keys"

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
PORT="$(free_port)"
USER_NAME="$(id -un)"

cat >"$DIR/sshd_config" <<EOF
Port $PORT
ListenAddress 127.0.0.1
HostKey $DIR/host_ed25519
AuthorizedKeysFile $DIR/authorized_keys
StrictModes no
PidFile none
UsePAM no
PermitRootLogin yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PrintMotd no
LogLevel DEBUG2
EOF

bold "Starting a throwaway sshd on 127.0.0.1:$PORT (files in $DIR)"
"$SSHD" -D -e -f "$DIR/sshd_config" -E "$DIR/sshd.log" &
SSHD_PID=$!

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
deadline=$((SECONDS + 10))
until port_open "$PORT"; do
  if ! kill -0 "$SSHD_PID" 2>/dev/null; then
    echo "sshd exited during start-up; its log:" >&2
    cat "$DIR/sshd.log" >&2
    exit 1
  fi
  if ((SECONDS >= deadline)); then echo "sshd did not start listening within 10 s" >&2; exit 1; fi
  sleep 0.05
done
ok "sshd is listening (pid $SSHD_PID)"

OPTS=(-p "$PORT" -i "$DIR/id_ed25519" -o IdentitiesOnly=yes
  -o "UserKnownHostsFile=$DIR/known_hosts" -o StrictHostKeyChecking=accept-new
  -o BatchMode=yes -F /dev/null)
DEST="$USER_NAME@127.0.0.1"

echo
bold "Client: $TSSH"
"$TSSH" -V 2>&1 | sed 's/^/  /' || true

# Prints a command line the way a user would type it, with the temp dir shown as $DIR.
show() {
  local line="" arg
  for arg in "$@"; do
    if [[ $arg =~ ^[A-Za-z0-9_./:=@,+-]+$ ]]; then line+=" $arg"; else line+=" '$arg'"; fi
  done
  printf '\n  $%s\n' "${line//"$DIR"/\$DIR}"
}
say() { printf '\n  $ %s\n' "$*"; }

echo
# --- 1. a remote command (first contact: the host key is recorded, accept-new) ---------------------
bold "1. Run a remote command"
show tssh "${OPTS[@]}" "$DEST" 'uname -a'
if out="$("$TSSH" "${OPTS[@]}" "$DEST" 'uname -a' 2>"$DIR/err")"; then
  ok "$out"
  sed 's/^/       stderr: /' "$DIR/err"
  fp="$(ssh-keygen -l -f "$DIR/host_ed25519.pub" | awk '{print $2}')"
  if grep -q "^\[127.0.0.1\]:$PORT ssh-ed25519 " "$DIR/known_hosts" 2>/dev/null; then
    ok "host key recorded in \$DIR/known_hosts ($fp)"
  else
    bad "the host key was not added to \$DIR/known_hosts"
  fi
else
  bad "exit status $?: $(cat "$DIR/err")"
fi

# --- 2. a pipeline: local stdin to a remote filter ------------------------------------------------
echo; bold "2. Pipe local data through a remote command"
say "printf 'hello\\n' | tssh ... 'tr a-z A-Z'"
out="$(printf 'hello\n' | "$TSSH" "${OPTS[@]}" "$DEST" 'tr a-z A-Z' 2>"$DIR/err")"
if [[ $out == HELLO ]]; then ok "$out"; else bad "got '$out' $(cat "$DIR/err")"; fi

# --- 3. the remote exit status becomes tssh's ------------------------------------------------------
echo; bold "3. The remote exit status is passed through"
say "tssh ... 'exit 3'"
"$TSSH" "${OPTS[@]}" "$DEST" 'exit 3' 2>"$DIR/err"
status=$?
if [[ $status -eq 3 ]]; then ok "exit status $status"; else bad "exit status $status (expected 3) $(cat "$DIR/err")"; fi

# --- 4. bulk data both ways ------------------------------------------------------------------------
echo; bold "4. Send 10 MB to the server and back, checked with sha256sum"
head -c $((10 * 1024 * 1024)) /dev/urandom >"$DIR/blob"
say 'tssh ... cat < $DIR/blob | sha256sum'
sent="$(sha256sum <"$DIR/blob" | cut -d' ' -f1)"
start_ns=$(date +%s%N)
received="$("$TSSH" "${OPTS[@]}" "$DEST" cat <"$DIR/blob" 2>"$DIR/err" | sha256sum | cut -d' ' -f1)"
elapsed_ms=$((($(date +%s%N) - start_ns) / 1000000))
if [[ $sent == "$received" ]]; then
  ok "sha256 $sent matches (round trip in ${elapsed_ms} ms)"
else
  bad "sent $sent, received $received $(cat "$DIR/err")"
fi

# --- 5. a local port forward ----------------------------------------------------------------------
# Forwards a local port to the sshd itself and reads its SSH banner through the tunnel.
demo_tunnel() {
  local lport err line
  lport="$(free_port)"
  err="$DIR/tunnel.err"
  say "tssh ... -N -L $lport:127.0.0.1:$PORT $DEST &   # then read the banner from 127.0.0.1:$lport"
  "$TSSH" "${OPTS[@]}" -n -N -L "$lport:127.0.0.1:$PORT" "$DEST" 2>"$err" &
  TUNNEL_PID=$!
  local deadline=$((SECONDS + 10))
  until port_open "$lport"; do
    if ! kill -0 "$TUNNEL_PID" 2>/dev/null; then
      wait "$TUNNEL_PID" 2>/dev/null
      TUNNEL_PID=""
      if grep -Eqi 'not (yet )?supported|unknown option|illegal option|invalid option' "$err"; then
        echo "  (tunnels: not available in this version of tssh yet: $(head -n1 "$err"))"
      else
        bad "the tunnel exited: $(cat "$err")"
      fi
      return
    fi
    if ((SECONDS >= deadline)); then bad "the forwarded port $lport never opened"; return; fi
    sleep 0.05
  done
  if exec 3<>"/dev/tcp/127.0.0.1/$lport" && IFS= read -r -t 5 line <&3; then
    exec 3<&-
    line="${line%$'\r'}"
    if [[ $line == SSH-2.0-* ]]; then ok "through the tunnel: $line"; else bad "unexpected banner '$line'"; fi
  else
    exec 3<&- 2>/dev/null
    bad "could not read through the tunnel"
  fi
  kill "$TUNNEL_PID" 2>/dev/null
  wait "$TUNNEL_PID" 2>/dev/null
  TUNNEL_PID=""
}
echo; bold "5. Forward a local port (-L) and talk through it"
demo_tunnel

echo
if ((FAILED > 0)); then
  bold "$FAILED step(s) failed. Last lines of the sshd log:"
  tail -n 20 "$DIR/sshd.log"
  exit 1
fi
bold "All steps passed."
