#!/usr/bin/env bash
# Self-test of the gateway-like test server (tests/servers/gateway): starts serve.py on a
# free port in a temporary state directory, drives every endpoint a client uses with curl
# and the scripted browser (tests/browser/xdg-open), the ping and API roots, session login
# and logout with CSRF, restarts it on the same state, then starts one with FAKEGW_NO_BASIC=1
# (no HTTP Basic, as AAP 2.7) on a fresh state and checks that, and stops it. Prints one
# line per check and "N passed, N failed" at the end; exits 1 on a failure.
#
#   tests/servers/gateway/selftest.sh            # uses ./.venv-gateway/bin/python
#   PYTHON=/path/to/python tests/servers/gateway/selftest.sh
#   VERBOSE=1 ...                                # also prints every response body
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
PY=${PYTHON:-$ROOT/.venv-gateway/bin/python}
BROWSER=$ROOT/tests/browser/xdg-open
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fakegw-selftest.XXXXXX")
STATE=$WORK/state
SERVER_PID=
LISTENER_PID=
PASSED=0
FAILED=0

cleanup() {
    [ -n "$LISTENER_PID" ] && kill "$LISTENER_PID" 2>/dev/null
    [ -n "$SERVER_PID" ] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    if [ "$FAILED" -ne 0 ]; then
        echo "--- server log (last 40 lines of $WORK/server.err) ---"
        tail -n 40 "$WORK/server.err" 2>/dev/null
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT

ok() { PASSED=$((PASSED + 1)); echo "ok   $*"; }
bad() { FAILED=$((FAILED + 1)); echo "FAIL $*"; }
check() { # check DESCRIPTION COMMAND...: passes when the command succeeds
    local what=$1; shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}

# http METHOD URL [curl options...]: sets STATUS; the body is in $WORK/body, the headers
# in $WORK/headers.
http() {
    local method=$1 url=$2; shift 2
    STATUS=$(curl -s -X "$method" -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' "$@" "$url")
    if [ -n "${VERBOSE:-}" ]; then echo "  $method $url -> $STATUS: $(head -c 400 "$WORK/body")"; fi
}
# js EXPR: a Python expression over the last body parsed as JSON (d), printed.
js() { "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); v=eval(sys.argv[2]); print(v if isinstance(v, str) else json.dumps(v))' "$WORK/body" "$1"; }
# jt EXPR: true when the Python expression over the last body (d) is true.
jt() { "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$WORK/body" "$1" 2>/dev/null; }
seedv() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$STATE/seed.json" "$1"; }
sha256_of() { printf '%s' "$1" | "$PY" -c 'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())'; }
status_is() { [ "$STATUS" = "$1" ]; }
header_has() { grep -qi "$1" "$WORK/headers"; }

start_server() { # start_server LABEL [VAR=VALUE...]: on $STATE, with that environment
    local label=$1; shift
    : >"$WORK/server.out"
    local t0=$EPOCHREALTIME
    env "$@" "$PY" "$HERE/serve.py" --port 0 --state-dir "$STATE" >"$WORK/server.out" 2>>"$WORK/server.err" &
    SERVER_PID=$!
    for _ in $(seq 1 600); do
        grep -q '^READY ' "$WORK/server.out" && break
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    local t1=$EPOCHREALTIME
    BASE=$(sed -n 's/^READY //p' "$WORK/server.out")
    if [ -z "$BASE" ]; then bad "server started"; exit 1; fi
    ok "server started ($label) in $("$PY" -c "print(round($t1 - $t0, 1))") s: $BASE"
}
stop_server() {
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID"
    local rc=$?
    SERVER_PID=
    check "server exits 0 on SIGTERM (got $rc)" [ "$rc" = 0 ]
}

# The application's loopback listener: answers one GET and writes its path to a file.
listen() { # listen FILE: starts the listener; sets LISTEN_PORT
    rm -f "$1"
    "$PY" -c '
import http.server, sys
out = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"you may close this window")
        open(out, "w").write(self.path)
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.timeout = 60
s.handle_request()
' "$1" >"$WORK/listener.port" &
    LISTENER_PID=$!
    for _ in $(seq 1 100); do [ -s "$WORK/listener.port" ] && break; sleep 0.05; done
    LISTEN_PORT=$(cat "$WORK/listener.port")
}

# browse CLIENT_ID PATH STATE SCOPE: the person at the browser logs in and approves; the
# listener at http://127.0.0.1:<free port>PATH gets the redirect. Sets REDIRECT, CALLBACK
# and CODE (empty unless the callback carried a code and the right state).
browse() {
    local client_id=$1 path=$2 state=$3 scope=$4
    listen "$WORK/callback"
    REDIRECT="http://127.0.0.1:$LISTEN_PORT$path"
    AUTHDESK_BROWSER_FOREGROUND=1 AUTHDESK_BROWSER_LOG="$WORK/browser.log" "$BROWSER" \
        "$BASE/o/authorize/?response_type=code&client_id=$client_id&redirect_uri=$REDIRECT&state=$state&scope=$scope"
    wait "$LISTENER_PID" 2>/dev/null
    LISTENER_PID=
    CALLBACK=$(cat "$WORK/callback" 2>/dev/null)
    CODE=$("$PY" -c 'import sys,urllib.parse as u; q=u.parse_qs(u.urlsplit(sys.argv[1]).query); print(q.get("code",[""])[0] if q.get("state")==[sys.argv[2]] else "")' "$CALLBACK" "$state")
}

echo "== state in $WORK"
start_server "fresh state"
CID=$(seedv client_id); CSECRET=$(seedv client_secret); PCID=$(seedv password_client_id)
PSECRET=$(seedv password_client_secret); ORG=$(seedv organization_id)
check "seed.json has the seeded values" [ -n "$CID" -a -n "$CSECRET" -a -n "$PCID" -a -n "$PSECRET" -a "$(seedv redirect_uri)" = http://127.0.0.1/callback -a "$(seedv base_url)" = "$BASE" -a "$(seedv admin_username)" = admin ]
ME=$BASE/api/gateway/v1/me/

echo "== authorization code flow (scripted browser, no PKCE, port-less loopback redirect URI)"
http GET "$BASE/o/authorize/?response_type=code&client_id=$CID&redirect_uri=http://127.0.0.1:9/callback&state=s&scope=read"
check "anonymous authorize -> 302 to the login page" eval 'status_is 302 && header_has "^Location: /api/gateway/v1/login/?next=/o/authorize/"'
browse "$CID" /callback st-123 "read+write"
check "browser logged in, approved, listener got code+state ($CALLBACK)" [ -n "$CODE" ]

http POST "$BASE/o/token/" -u "$CID:$CSECRET" -d grant_type=authorization_code -d "code=$CODE" -d "redirect_uri=$REDIRECT"
check "code -> token: 201 (got $STATUS)" status_is 201
check "token response: access_token, refresh_token, token_type Bearer, expires_in 31536000, scope" \
    jt 'set(d) == {"access_token","refresh_token","token_type","expires_in","scope"} and d["token_type"] == "Bearer" and d["expires_in"] == 31536000 and d["scope"] == "read write"'
check "token response has Cache-Control: no-store" header_has '^Cache-Control: no-store'
AT=$(js 'd["access_token"]'); RT=$(js 'd["refresh_token"]')

http POST "$BASE/o/token/" -u "$CID:$CSECRET" -d grant_type=authorization_code -d "code=$CODE" -d "redirect_uri=$REDIRECT"
check "code reuse -> 400 invalid_grant (got $STATUS)" eval 'status_is 400 && jt "d[\"error\"] == \"invalid_grant\""'

http GET "$ME" -H "Authorization: Bearer $AT"
check "who-am-I with the bearer token: 200 (got $STATUS)" status_is 200
check "who-am-I is a one-item page with id and username demo" \
    jt 'd["count"] == 1 and d["next"] is None and d["previous"] is None and len(d["results"]) == 1 and d["results"][0]["username"] == "demo" and isinstance(d["results"][0]["id"], int)'

http POST "$BASE/o/token/" -u "$CID:$CSECRET" -H 'Content-Type: application/json' -d '{"grant_type":"refresh_token","refresh_token":"'"$RT"'"}'
check "JSON body on /o/token/ -> 400 unsupported_grant_type (got $STATUS)" eval 'status_is 400 && jt "d[\"error\"] == \"unsupported_grant_type\""'

echo "== refresh rotates"
http POST "$BASE/o/token/" -u "$CID:$CSECRET" -d grant_type=refresh_token -d "refresh_token=$RT"
check "refresh -> 201 (got $STATUS)" status_is 201
AT2=$(js 'd["access_token"]'); RT2=$(js 'd["refresh_token"]')
check "refresh returned a new access and a new refresh token" [ -n "$AT2" -a "$AT2" != "$AT" -a -n "$RT2" -a "$RT2" != "$RT" ]
http GET "$ME" -H "Authorization: Bearer $AT"
check "old access token -> 401 (got $STATUS)" status_is 401
check "401 carries WWW-Authenticate: Bearer realm=\"api\"" header_has '^WWW-Authenticate: Bearer realm="api"'
http POST "$BASE/o/token/" -u "$CID:$CSECRET" -d grant_type=refresh_token -d "refresh_token=$RT"
check "old refresh token -> 400 invalid_grant (got $STATUS)" eval 'status_is 400 && jt "d[\"error\"] == \"invalid_grant\""'
http GET "$ME" -H "Authorization: Bearer $AT2"
check "new access token -> 200 (got $STATUS)" status_is 200

echo "== revoke: tokens are stored as \$sha256\$<hex>"
http POST "$BASE/o/revoke_token/" -u "$CID:$CSECRET" -d "token=$RT2" -d token_type_hint=refresh_token
check "revoke with the plain refresh token -> 200 (got $STATUS)" status_is 200
http GET "$ME" -H "Authorization: Bearer $AT2"
check "... and revoked nothing: who-am-I still 200 (got $STATUS)" status_is 200
HASHED="\$sha256\$$(sha256_of "$RT2")"
http POST "$BASE/o/revoke_token/" -u "$CID:$CSECRET" --data-urlencode "token=$HASHED" -d token_type_hint=refresh_token
check "revoke with \$sha256\$<hex of the refresh token> -> 200 (got $STATUS)" status_is 200
http GET "$ME" -H "Authorization: Bearer $AT2"
check "... and that revoked it: who-am-I 401 (got $STATUS)" status_is 401
http POST "$BASE/o/token/" -u "$CID:$CSECRET" -d grant_type=refresh_token -d "refresh_token=$RT2"
check "revoked refresh token -> 400 invalid_grant (got $STATUS)" eval 'status_is 400 && jt "d[\"error\"] == \"invalid_grant\""'
http POST "$BASE/o/revoke_token/" -u "$CID:$CSECRET" -d "token=never-issued"
check "revoke of an unknown token -> 200 too (got $STATUS)" status_is 200

echo "== password grant (confidential password application)"
http POST "$BASE/o/token/" -u "$PCID:$PSECRET" -d grant_type=password -d username=demo -d password=demo-password -d scope=read
check "password grant -> 201 (got $STATUS)" eval 'status_is 201 && jt "d[\"scope\"] == \"read\" and d[\"token_type\"] == \"Bearer\""'
PAT_AT=$(js 'd["access_token"]')
http GET "$ME" -H "Authorization: Bearer $PAT_AT"
check "password-grant token on who-am-I -> 200 (got $STATUS)" status_is 200
http POST "$BASE/o/token/" -d "client_id=$PCID" -d "client_secret=$PSECRET" -d grant_type=password -d username=demo -d password=demo-password
check "client credentials in the form body work too: 201 (got $STATUS)" status_is 201
http POST "$BASE/o/token/" -u "$PCID:wrong" -d grant_type=password -d username=demo -d password=demo-password
check "wrong client secret -> 401 invalid_client (got $STATUS)" eval 'status_is 401 && jt "d[\"error\"] == \"invalid_client\""'
http POST "$BASE/o/token/" -u "$PCID:$PSECRET" -d grant_type=password -d username=demo -d password=wrong
check "wrong user password -> 400 invalid_grant (got $STATUS)" eval 'status_is 400 && jt "d[\"error\"] == \"invalid_grant\""'

echo "== who-am-I with session and HTTP Basic"
http GET "$ME" -u demo:demo-password
check "HTTP Basic -> 200 (got $STATUS)" eval 'status_is 200 && jt "d[\"results\"][0][\"username\"] == \"demo\""'
http GET "$ME"
check "anonymous -> 401 (got $STATUS)" status_is 401
curl -s -c "$WORK/jar" -b "$WORK/jar" -o "$WORK/login.html" "$BASE/api/gateway/v1/login/"
CSRF=$("$PY" -c 'import re,sys; print(re.search(r"name=\"csrfmiddlewaretoken\" value=\"([^\"]+)\"", open(sys.argv[1]).read()).group(1))' "$WORK/login.html")
curl -s -c "$WORK/jar" -b "$WORK/jar" -o /dev/null -e "$BASE/api/gateway/v1/login/" \
    -d "csrfmiddlewaretoken=$CSRF" -d username=demo -d password=demo-password -d next=/api/gateway/v1/me/ "$BASE/api/gateway/v1/login/"
http GET "$ME" -b "$WORK/jar"
check "session cookie from the login page -> 200 (got $STATUS)" status_is 200

echo "== server detection"
http GET "$BASE/api/"
check "GET /api/ without credentials: 200, the services (got $STATUS)" \
    eval 'status_is 200 && jt "d == {\"description\": \"AAP gateway REST API\", \"apis\": {\"gateway\": \"/api/gateway/\", \"controller\": \"/api/controller/\"}}"'
http GET "$BASE/api/gateway/"
check "GET /api/gateway/: 200, current_version /api/gateway/v1/ (got $STATUS)" \
    eval 'status_is 200 && jt "d[\"current_version\"] == \"/api/gateway/v1/\" and d[\"available_versions\"] == {\"v1\": \"/api/gateway/v1/\"}"'
http GET "$BASE/api/gateway/v1/"
check "GET /api/gateway/v1/ without credentials: 200, lists ping (got $STATUS)" \
    eval 'status_is 200 && jt "d[\"ping\"] == \"/api/gateway/v1/ping/\" and d[\"tokens\"] == \"/api/gateway/v1/tokens/\" and list(d) == sorted(d)"'
http GET "$BASE/api/gateway/v1/ping/"
check "GET /api/gateway/v1/ping/ without credentials: 200, an AAP 2.5 gateway's ping (got $STATUS)" \
    eval 'status_is 200 && jt "list(d) == [\"pong\", \"status\", \"db_connected\", \"proxy_connected\"] and d[\"status\"] == \"good\" and d[\"db_connected\"] is True and d[\"proxy_connected\"] is True and len(d[\"pong\"]) >= 19"'
http GET "$BASE/api/v2/ping/"
check "GET /api/v2/ping/: 404 (no controller here) (got $STATUS)" status_is 404

echo "== session login, as a client program does it"
# cookie NAME: the value the last answer sets for cookie NAME (empty if none)
cookie() { sed -n "s/^[Ss]et-[Cc]ookie: *$1=\([^;]*\);.*/\1/p" "$WORK/headers" | tail -n 1 | tr -d '\r'; }
body_has() { grep -q "$1" "$WORK/body"; }
# session_checks LABEL: GET login for the csrftoken cookie, form POST, the API with the
# session cookie, CSRF on unsafe methods, a personal token made, listed and deleted, logout.
session_checks() {
    local l=$1 L=$BASE/api/gateway/v1/login/ O=$BASE/api/gateway/v1/logout/ c0 c sid ck tid
    http GET "$L"
    c0=$(cookie csrftoken)
    check "$l: GET login: 200 text/html with a csrftoken cookie (got $STATUS)" eval 'status_is 200 && header_has "^Content-Type: text/html" && [ -n "$c0" ]'
    http POST "$L" -H "Referer: $L" -H "Cookie: csrftoken=$c0" -d "username=demo&password=wrong&csrfmiddlewaretoken=$c0&next=/api/gateway/v1/me/"
    check "$l: wrong password: 401 text/html, the form again, no session (got $STATUS)" \
        eval 'status_is 401 && header_has "^Content-Type: text/html" && body_has "Invalid username or password" && [ -z "$(cookie gateway_sessionid)" ]'
    http POST "$L" -H "Referer: $L" -H "Cookie: csrftoken=$c0" -d "username=disabled&password=disabled-password&csrfmiddlewaretoken=$c0&next=/api/gateway/v1/me/"
    check "$l: inactive user, right password: the same 401 as a wrong password (got $STATUS)" \
        eval 'status_is 401 && header_has "^Content-Type: text/html" && body_has "Invalid username or password" && [ -z "$(cookie gateway_sessionid)" ]'
    http POST "$L" -H "Referer: $L" -H "Cookie: csrftoken=$c0" -d "username=demo&password=demo-password&next=/api/gateway/v1/me/"
    check "$l: login without csrfmiddlewaretoken: 403 text/html CSRF failure page (got $STATUS)" \
        eval 'status_is 403 && header_has "^Content-Type: text/html" && body_has "CSRF verification failed" && [ -z "$(cookie gateway_sessionid)" ]'
    http POST "$L" -H "Referer: $L" -H "Cookie: csrftoken=$c0" -d "username=demo&password=demo-password&csrfmiddlewaretoken=$c0&next=/api/gateway/v1/me/"
    sid=$(cookie gateway_sessionid); c=$(cookie csrftoken)
    check "$l: login: 302 to next, gateway_sessionid set, csrftoken rotated (got $STATUS)" \
        eval 'status_is 302 && header_has "^Location: /api/gateway/v1/me/" && [ -n "$sid" -a -n "$c" -a "$c" != "$c0" ]'
    ck="Cookie: gateway_sessionid=$sid; csrftoken=$c"
    http GET "$ME" -H "$ck"
    check "$l: who-am-I with the session: demo (got $STATUS)" eval 'status_is 200 && jt "d[\"results\"][0][\"username\"] == \"demo\""'
    http POST "$BASE/api/gateway/v1/tokens/" -H "$ck" -H 'Content-Type: application/json' -d '{"description":"session PAT","scope":"write"}'
    check "$l: POST with the session but no X-CSRFToken: 403 (got $STATUS)" \
        eval 'status_is 403 && jt "d == {\"detail\": \"CSRF Failed: CSRF token missing.\"}"'
    http POST "$BASE/api/gateway/v1/tokens/" -H "$ck" -H "X-CSRFToken: $c" -H "Referer: $L" -H 'Content-Type: application/json' -d '{"description":"session PAT","scope":"write"}'
    check "$l: POST tokens with session + X-CSRFToken: 201 (got $STATUS)" \
        eval 'status_is 201 && jt "d[\"description\"] == \"session PAT\" and len(d[\"token\"]) >= 20 and d[\"application\"] is None"'
    tid=$(js 'd["id"]')
    http GET "$BASE/api/gateway/v1/tokens/" -H "$ck"
    check "$l: the session lists it (got $STATUS)" eval 'status_is 200 && jt "$tid in [t[\"id\"] for t in d[\"results\"]]"'
    http DELETE "$BASE/api/gateway/v1/tokens/$tid/" -H "$ck"
    check "$l: DELETE without X-CSRFToken: 403 (got $STATUS)" status_is 403
    http DELETE "$BASE/api/gateway/v1/tokens/$tid/" -H "$ck" -H "X-CSRFToken: $c" -H "Referer: $L"
    check "$l: DELETE with X-CSRFToken: 204 (got $STATUS)" status_is 204
    http POST "$O" -H "$ck"
    check "$l: POST logout without the CSRF token: 403 text/html (got $STATUS)" eval 'status_is 403 && header_has "^Content-Type: text/html"'
    http GET "$ME" -H "$ck"
    check "$l: ... and the session still works (got $STATUS)" status_is 200
    http POST "$O" -H "$ck" -H "Referer: $O" -d "csrfmiddlewaretoken=$c"
    check "$l: POST logout with csrfmiddlewaretoken: 302 to the login page, session cookie cleared (got $STATUS)" \
        eval 'status_is 302 && header_has "^Location: /api/gateway/v1/login/" && [ "$(cookie gateway_sessionid)" = "\"\"" ]'
    http GET "$ME" -H "$ck"
    check "$l: the session no longer works: 401 (got $STATUS)" status_is 401
    http POST "$L" -H "Referer: $L" -H "Cookie: csrftoken=$c" -d "username=demo&password=demo-password&csrfmiddlewaretoken=$c&next=/api/gateway/v1/me/"
    ck="Cookie: gateway_sessionid=$(cookie gateway_sessionid); csrftoken=$(cookie csrftoken)"
    http GET "$O" -H "$ck"
    check "$l: GET logout logs out too (Django 4.2): 302 (got $STATUS)" eval 'status_is 302 && [ "$(cookie gateway_sessionid)" = "\"\"" ]'
    http GET "$ME" -H "$ck"
    check "$l: ... the session no longer works: 401 (got $STATUS)" status_is 401
}
session_checks "session"

echo "== personal access tokens (HTTP Basic user auth)"
http POST "$BASE/api/gateway/v1/tokens/" -u demo:demo-password -H 'Content-Type: application/json' -d '{"description":"selftest PAT","scope":"write"}'
check "PAT create -> 201 (got $STATUS)" status_is 201
check "PAT answer: plain token, refresh_token null, application null, scope write" \
    jt 'len(d["token"]) >= 20 and d["token"] != "$encrypted$" and d["refresh_token"] is None and d["application"] is None and d["scope"] == "write" and d["description"] == "selftest PAT" and isinstance(d["id"], int) and d["expires"]'
PAT=$(js 'd["token"]'); PAT_ID=$(js 'd["id"]')
http GET "$ME" -H "Authorization: Bearer $PAT"
check "PAT on who-am-I -> 200 (got $STATUS)" status_is 200
http GET "$BASE/api/gateway/v1/tokens/" -u demo:demo-password
check "token list -> 200, a page holding the PAT with token \$encrypted\$" \
    eval 'status_is 200 && jt "any(t[\"id\"] == $PAT_ID and t[\"token\"] == \"\$encrypted\$\" and t[\"application\"] is None for t in d[\"results\"]) and d[\"count\"] == len(d[\"results\"])"'
http POST "$BASE/api/gateway/v1/tokens/" -u demo:demo-password -H 'Content-Type: application/json' -d '{"description":"x","scope":"read","application":1}'
check "token for an application as a normal user -> 403 (DAB: superusers only) (got $STATUS)" status_is 403
http POST "$BASE/api/gateway/v1/tokens/" -u admin:admin-password -H 'Content-Type: application/json' -d '{"description":"app token","scope":"read","application":1}'
check "token for an application as admin -> 201 with token and refresh_token (got $STATUS)" \
    eval 'status_is 201 && jt "d[\"application\"] == 1 and len(d[\"refresh_token\"]) >= 20 and len(d[\"token\"]) >= 20"'
http POST "$BASE/api/gateway/v1/tokens/" -u demo:demo-password -H 'Content-Type: application/json' -d '{"description":"x","scope":"admin"}'
check "PAT with an unknown scope -> 400 (got $STATUS)" status_is 400
http DELETE "$BASE/api/gateway/v1/tokens/$PAT_ID/" -u demo:demo-password
check "PAT delete -> 204 (got $STATUS)" status_is 204
http GET "$ME" -H "Authorization: Bearer $PAT"
check "deleted PAT -> 401 (got $STATUS)" status_is 401

echo "== organizations and applications"
http GET "$BASE/api/gateway/v1/organizations/" -u demo:demo-password
check "organizations (demo) -> 200 with Default (got $STATUS)" \
    eval 'status_is 200 && jt "[(o[\"id\"], o[\"name\"]) for o in d[\"results\"]] == [($ORG, \"Default\")]"'
APP_BODY='{"name":"selftest app","organization":'$ORG',"client_type":"confidential","authorization_grant_type":"authorization-code","redirect_uris":"http://127.0.0.1/cb","skip_authorization":false}'
http POST "$BASE/api/gateway/v1/applications/" -u demo:demo-password -H 'Content-Type: application/json' -d "$APP_BODY"
check "application create as a normal user -> 403 (DAB: superusers only) (got $STATUS)" status_is 403
http POST "$BASE/api/gateway/v1/applications/" -u admin:admin-password -H 'Content-Type: application/json' -d "$APP_BODY"
check "application create as admin -> 201 (got $STATUS)" status_is 201
check "application answer shows client_id and the plain client_secret" \
    jt 'len(d["client_id"]) == 40 and len(d["client_secret"]) == 128 and d["authorization_grant_type"] == "authorization-code" and d["organization"] == '"$ORG"
APP_ID=$(js 'd["id"]'); APP_CID=$(js 'd["client_id"]'); APP_SECRET=$(js 'd["client_secret"]')
http GET "$BASE/api/gateway/v1/applications/$APP_ID/" -u admin:admin-password
check "later reads show client_secret \$encrypted\$" eval 'status_is 200 && jt "d[\"client_secret\"] == \"\$encrypted\$\""'
http GET "$BASE/api/gateway/v1/applications/" -u admin:admin-password
check "application list (admin) -> 200 with 3 applications" eval 'status_is 200 && jt "d[\"count\"] == 3"'
browse "$APP_CID" /cb st-456 read
CODE2=$CODE; REDIRECT2=$REDIRECT
check "flow with the new application reached its listener" [ -n "$CODE2" ]
http POST "$BASE/o/token/" -u "$APP_CID:$APP_SECRET" -d grant_type=authorization_code -d "code=$CODE2" -d "redirect_uri=$REDIRECT2"
check "its token request -> 201 (got $STATUS)" status_is 201
AT3=$(js 'd["access_token"]')

echo "== restart on the same state"
stop_server
start_server "existing state"
check "seed.json keeps the same client id and secret" [ "$(seedv client_id)" = "$CID" -a "$(seedv client_secret)" = "$CSECRET" -a "$(seedv password_client_secret)" = "$PSECRET" ]
http GET "$BASE/api/gateway/v1/me/" -H "Authorization: Bearer $AT3"
check "a token issued before the restart still works (got $STATUS)" status_is 200
http POST "$BASE/o/token/" -u "$PCID:$PSECRET" -d grant_type=password -d username=demo -d password=demo-password
check "the seeded secret still works after the restart (got $STATUS)" status_is 201
stop_server

echo "== FAKEGW_NO_BASIC=1 (no HTTP Basic, as AAP 2.7), FAKEGW_VERSION=2.7, fresh state"
STATE=$WORK/nobasic
start_server "no Basic" FAKEGW_NO_BASIC=1 FAKEGW_VERSION=2.7
ME=$BASE/api/gateway/v1/me/
PCID=$(seedv password_client_id); PSECRET=$(seedv password_client_secret)
http GET "$ME"
cp "$WORK/body" "$WORK/anonymous"
http GET "$ME" -u demo:demo-password
check "no-Basic: HTTP Basic with the right password: 401, the answer of no credentials (got $STATUS)" \
    eval 'status_is 401 && cmp -s "$WORK/body" "$WORK/anonymous" && header_has "^WWW-Authenticate: Bearer realm=\"api\""'
http POST "$BASE/api/gateway/v1/tokens/" -u demo:demo-password -H 'Content-Type: application/json' -d '{"scope":"write"}'
check "no-Basic: POST tokens with HTTP Basic: 401 (got $STATUS)" status_is 401
http GET "$BASE/api/gateway/v1/ping/"
check "no-Basic: ping still needs no credentials, no version in its body (got $STATUS)" eval 'status_is 200 && jt "\"version\" not in d"'
http POST "$BASE/o/token/" -u "$PCID:$PSECRET" -d grant_type=password -d username=demo -d password=demo-password -d scope=write
check "no-Basic: /o/token/ still takes the client's credentials in HTTP Basic: 201 (got $STATUS)" status_is 201
NB_AT=$(js 'd["access_token"]'); NB_RT=$(js 'd["refresh_token"]')
http GET "$ME" -H "Authorization: Bearer $NB_AT"
check "no-Basic: the bearer token works (got $STATUS)" status_is 200
http POST "$BASE/o/token/" -u "$PCID:$PSECRET" -d grant_type=refresh_token -d "refresh_token=$NB_RT"
check "no-Basic: refresh with the client's credentials in HTTP Basic: 201 (got $STATUS)" status_is 201
session_checks "no-Basic session"
stop_server

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
