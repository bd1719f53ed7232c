#!/usr/bin/env bash
# The demo behind `cargo xtask demo`: a local AWX-like server, a `demo` profile for its
# application, and a sign-in. Run through xtask, which installs what this needs.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${AUTHDESK_TEST_PYTHON:-.venv/bin/python}"
authdesk="${CARGO_TARGET_DIR:-target}/debug/authdesk"
state="$(mktemp -d -t authdesk-demo.XXXXXX)"
export AUTHDESK_CONFIG_DIR="${AUTHDESK_CONFIG_DIR:-$state/config}"

"$python" tests/servers/awx/serve.py --port "${AUTHDESK_DEMO_PORT:-8013}" --state-dir "$state/server" > "$state/server.out" 2> "$state/server.log" &
server=$!
# On exit: the demo profile's keyring entries go with it, then the server and its files.
trap '"$authdesk" profile remove demo >/dev/null 2>&1; kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$state"' EXIT
for _ in $(seq 1 600); do
  grep -q '^READY' "$state/server.out" 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$state/server.log" >&2; echo "demo: the AWX-like server did not start." >&2; exit 1; }
  sleep 0.1
done
seed="$state/server/seed.json"
field() { "$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$seed" "$1"; }
base_url="$(field base_url)"
echo "AWX-like server at $base_url — sign in as $(field username) / $(field password)."

field client_secret | "$authdesk" profile add demo --base-url "$base_url" --client-id "$(field client_id)" \
  --redirect-uri "$(field redirect_uri)" --scope "read write" --client-secret-stdin

if [ "${AUTHDESK_DEMO_SCRIPTED:-0}" = 1 ]; then
  echo "A scripted browser stands in for you: it logs in and approves the consent page."
  export PATH="$PWD/tests/browser:$PATH"
fi
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "No display for the window: the CLI runs the same flow."
  "$authdesk" token demo --format json
  "$authdesk" whoami demo
  exit 0
fi

echo "Opening the AuthDesk window on the demo profile: press Get token, sign in as $(field username) in the browser."
echo "From another shell in this desktop session, the CLI works on the same profile while the window is open:"
echo "  AUTHDESK_CONFIG_DIR=$AUTHDESK_CONFIG_DIR $authdesk token demo --format header"
"$authdesk"
