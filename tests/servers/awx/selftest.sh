#!/usr/bin/env bash
# Self-test of the AWX-like server with curl: starts serve.py on a free port with a fresh
# state dir, checks the API a client uses (the API roots, who am I, users, organizations,
# applications, personal access tokens, the password and authorization-code grants, the
# ping, session login/logout with CSRF, and awxkit's `awx me`/`awx users list` when awxkit
# is installed), then restarts it with FAKEAWX_NO_BASIC=1 (no HTTP Basic, as AAP 2.7) on a
# fresh state dir and checks that too, and stops it (SIGTERM, exit 0).
#
#   tests/servers/awx/selftest.sh            # uses .venv/bin/python of the repository
#   PYTHON=/path/to/python tests/servers/awx/selftest.sh
#
# Prints one "ok"/"not ok" line per check; exits 1 if any check failed. Needs bash, curl
# and the server's Python (also used here to read JSON and HTML).

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
PY=${PYTHON:-$ROOT/.venv/bin/python}
STATE=$(mktemp -d)
PID=
PASSED=0
FAILED=0

cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
        kill "$PID" 2>/dev/null || true
        wait "$PID" 2>/dev/null || true
    fi
    rm -rf "$STATE"
}
trap cleanup EXIT

# start_server DIR [VAR=VALUE...]: serve.py with a fresh state dir and that environment
start_server() {
    local dir=$1
    shift
    : >"$STATE/stdout"
    env "$@" "$PY" "$HERE/serve.py" --port 0 --state-dir "$dir" >"$STATE/stdout" 2>>"$STATE/server.log" &
    PID=$!
    for _ in $(seq 1 240); do
        grep -q '^READY ' "$STATE/stdout" 2>/dev/null && break
        if ! kill -0 "$PID" 2>/dev/null; then
            echo "the server died:" >&2
            cat "$STATE/server.log" >&2
            exit 1
        fi
        sleep 0.5
    done
    grep -q '^READY ' "$STATE/stdout" || { echo "the server did not start" >&2; cat "$STATE/server.log" >&2; exit 1; }
    SEED=$dir/seed.json
}
# stop_server: SIGTERM, then the exit status must be 0
stop_server() {
    local rc=0
    kill -TERM "$PID"
    wait "$PID" || rc=$?
    PID=
    [ "$rc" = 0 ] || { echo "not ok - the server exited with $rc on SIGTERM"; FAILED=$((FAILED + 1)); }
}
start_server "$STATE/server"

# --- helpers ----------------------------------------------------------------------------

# seed KEY: a field of seed.json
seed() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$SEED" "$1"; }

BASE=$(seed base_url)

# req METHOD PATH [curl args...]: the answer goes to $STATUS, $STATE/body, $STATE/headers
req() {
    local method=$1 path=$2
    shift 2
    STATUS=$(curl -sS -o "$STATE/body" -D "$STATE/headers" -w '%{http_code}' -X "$method" "$@" "$BASE$path")
}

# py EXPR: evaluates a Python expression over the last answer and prints the result
# (strings bare, everything else as JSON). Names: d (JSON body or None), b (body text),
# h (headers text), s (status), seed (seed.json).
PYPRELUDE='
import json, sys
s = int(sys.argv[2]); b = open(sys.argv[3]).read(); h = open(sys.argv[4]).read()
seed = json.load(open(sys.argv[5]))
try:
    d = json.loads(b)
except ValueError:
    d = None
def cookie(name):
    """The value the last answer sets for cookie `name`, or None."""
    import re
    m = re.findall(r"(?im)^set-cookie:\s*" + re.escape(name) + r"=([^;\r\n]*)", h)
    return m[-1] if m else None
'
py() {
    "$PY" -c "$PYPRELUDE"'
v = eval(sys.argv[1])
print(v if isinstance(v, str) else json.dumps(v))' "$1" "$STATUS" "$STATE/body" "$STATE/headers" "$SEED"
}

# check DESCRIPTION EXPR: a check over the last answer (see py for the names)
check() {
    if "$PY" -c "$PYPRELUDE"'
sys.exit(0 if eval(sys.argv[1]) else 1)' "$2" "$STATUS" "$STATE/body" "$STATE/headers" "$SEED"; then
        PASSED=$((PASSED + 1))
        echo "ok - $1"
    else
        FAILED=$((FAILED + 1))
        echo "not ok - $1"
        echo "#   expected: $2"
        echo "#   got: HTTP $STATUS $(head -c 600 "$STATE/body")"
    fi
}

JSON=(-H 'Content-Type: application/json')
DEMO=(-u demo:demo-password)
ADMIN=(-u admin:admin-password)
OTHER=(-u other:other-password)
CENSORED='"************"'

# --- seed.json --------------------------------------------------------------------------

STATUS=200
cp "$SEED" "$STATE/body"
: >"$STATE/headers"
check "seed.json has the original fields" \
    'all(k in d for k in ("base_url","username","password","client_id","client_secret","redirect_uri"))'
check "seed.json has password_client_id, password_client_secret, organization_id 1" \
    'd["password_client_id"] and d["password_client_secret"] and d["organization_id"] == 1'

# --- who am I ---------------------------------------------------------------------------

req GET /api/v2/me/ "${DEMO[@]}"
check "GET /api/v2/me/ as demo: 200, paginated, with the user id" \
    's == 200 and d["count"] == 1 and d["results"][0]["username"] == "demo" and isinstance(d["results"][0]["id"], int)'
DEMO_ID=$(py 'd["results"][0]["id"]')
check "me links to personal_tokens" \
    'd["results"][0]["related"]["personal_tokens"] == "/api/v2/users/%d/personal_tokens/" % d["results"][0]["id"]'
req GET /api/v2/me/ "${OTHER[@]}"
OTHER_ID=$(py 'd["results"][0]["id"]')

req GET /api/v2/me/
check "no credentials: 401 with AWX's WWW-Authenticate" \
    's == 401 and "Bearer realm=api authorization_url=/api/o/authorize/" in h and "To establish a login session" in d["detail"]'

# --- API roots and users ----------------------------------------------------------------

req GET /api/
check "GET /api/ without credentials: 200, AWX's root" \
    's == 200 and d["current_version"] == "/api/v2/" and d["available_versions"] == {"v2": "/api/v2/"} and d["oauth2"] == "/api/o/"'
req GET /api/v2/
check "GET /api/v2/ without credentials: 200, the resources" \
    's == 200 and d["me"] == "/api/v2/me/" and d["users"] == "/api/v2/users/" and d["tokens"] == "/api/v2/tokens/" and d["inventory"] == "/api/v2/inventories/"'
req GET /api/v2/users/ "${DEMO[@]}"
check "users as demo: its organization's members and the superusers, by username" \
    's == 200 and [u["username"] for u in d["results"]] == ["admin", "demo"] and d["results"][1]["type"] == "user"'
req GET /api/v2/users/ "${ADMIN[@]}"
check "users as admin: everybody (also the inactive disabled)" 's == 200 and [u["username"] for u in d["results"]] == ["admin", "demo", "disabled", "other"]'
req GET '/api/v2/users/?username=demo' "${ADMIN[@]}"
check "users?username=demo: exactly demo" "s == 200 and d['count'] == 1 and d['results'][0]['id'] == $DEMO_ID"
req GET '/api/v2/users/?password=x' "${ADMIN[@]}"
check "users?password=…: 400" 's == 400'
req GET /api/v2/users/
check "users without credentials: 401" 's == 401'
req GET "/api/v2/users/$DEMO_ID/" "${DEMO[@]}"
check "GET own user: 200" "s == 200 and d['id'] == $DEMO_ID and d['url'] == '/api/v2/users/$DEMO_ID/'"
req GET "/api/v2/users/$OTHER_ID/" "${DEMO[@]}"
check "GET a user demo cannot see: 403" 's == 403'
req GET /api/v2/users/99999/ "${DEMO[@]}"
check "GET an unknown user: 404" 's == 404 and d == {"detail": "No User matches the given query."}'
req OPTIONS /api/v2/users/ "${DEMO[@]}"
check "OPTIONS users: AWX's metadata with the GET fields, read-only" \
    's == 200 and d["actions"]["GET"]["username"]["filterable"] is True and list(d["actions"]) == ["GET"] and d["types"] == ["user"] and "Allow: GET, HEAD, OPTIONS" in h'
req OPTIONS /api/v2/projects/ "${DEMO[@]}"
check "OPTIONS projects (asked for by the awx CLI's users commands): object_roles" \
    's == 200 and "admin_role" in d["object_roles"]'
req GET /api/v2/teams/ "${DEMO[@]}"
check "teams: an empty list" 's == 200 and d == {"count": 0, "next": None, "previous": None, "results": []}'

# --- organizations ----------------------------------------------------------------------

req GET /api/v2/organizations/ "${DEMO[@]}"
check "organizations as demo: only Default (id 1)" \
    's == 200 and d["count"] == 1 and d["next"] is None and d["previous"] is None and [(o["id"], o["name"]) for o in d["results"]] == [(1, "Default")]'
check "organization item has AWX's fields" \
    'all(k in d["results"][0] for k in ("id","type","url","related","summary_fields","created","modified","name","description","max_hosts","custom_virtualenv","default_environment")) and d["results"][0]["type"] == "organization" and d["results"][0]["url"] == "/api/v2/organizations/1/"'
req GET /api/v2/organizations/ "${ADMIN[@]}"
check "organizations as admin: Default and Other" \
    's == 200 and d["count"] == 2 and [o["name"] for o in d["results"]] == ["Default", "Other"]'
req GET '/api/v2/organizations/?page_size=1' "${ADMIN[@]}"
check "pagination links are relative, as in AWX" \
    'd["next"] == "/api/v2/organizations/?page=2&page_size=1" and len(d["results"]) == 1'

# --- personal access tokens -------------------------------------------------------------

req POST "/api/v2/users/$DEMO_ID/personal_tokens/" "${DEMO[@]}" "${JSON[@]}" -d '{"description": "selftest PAT", "scope": "read"}'
check "POST personal_tokens: 201 with the token shown once" \
    's == 201 and d["type"] == "o_auth2_access_token" and len(d["token"]) >= 30 and d["token"] != "************"'
check "PAT fields: refresh_token null, application null, user, scope, description, expires" \
    "d['refresh_token'] is None and d['application'] is None and d['user'] == $DEMO_ID and d['scope'] == 'read' and d['description'] == 'selftest PAT' and d['expires'].endswith('Z') and all(k in d for k in ('id','url','related','summary_fields','created','modified'))"
check "PAT belongs to demo; Location names it" \
    'd["user"] == d["summary_fields"]["user"]["id"] and d["summary_fields"]["user"]["username"] == "demo" and ("Location: /api/v2/tokens/%d/" % d["id"]) in h'
PAT=$(py 'd["token"]')
PAT_ID=$(py 'd["id"]')

req GET /api/v2/me/ -H "Authorization: Bearer $PAT"
check "the PAT works as a Bearer token on /api/v2/me/" "s == 200 and d['results'][0]['id'] == $DEMO_ID"
req POST "/api/v2/users/$DEMO_ID/personal_tokens/" -H "Authorization: Bearer $PAT" "${JSON[@]}" -d '{}'
check "a read-scoped PAT cannot write: 403" 's == 403'

req GET "/api/v2/users/$DEMO_ID/personal_tokens/" "${DEMO[@]}"
check "GET personal_tokens lists it with the token hidden" \
    "s == 200 and [(t['id'], t['token']) for t in d['results']] == [($PAT_ID, $CENSORED)] and d['results'][0]['refresh_token'] is None"
req GET /api/v2/tokens/ "${DEMO[@]}"
check "GET /api/v2/tokens/ lists it with the token hidden" \
    "s == 200 and $PAT_ID in [t['id'] for t in d['results']] and all(t['token'] == $CENSORED for t in d['results'])"
req GET "/api/v2/users/$DEMO_ID/tokens/" "${DEMO[@]}"
check "GET /api/v2/users/<id>/tokens/ lists it with the token hidden" \
    "s == 200 and [(t['id'], t['token']) for t in d['results']] == [($PAT_ID, $CENSORED)]"

req POST "/api/v2/users/$DEMO_ID/personal_tokens/" "${DEMO[@]}" "${JSON[@]}" -d '{"scope": "admin"}'
check "a bad scope: 400 with AWX's message" \
    's == 400 and d == {"scope": ["Must be a simple space-separated string with allowed scopes [\x27read\x27, \x27write\x27]."]}'
req POST "/api/v2/users/$DEMO_ID/personal_tokens/" "${DEMO[@]}" "${JSON[@]}" -d '{}'
check "no scope: 201 with AWX's default scope write" 's == 201 and d["scope"] == "write" and d["description"] == ""'

req POST "/api/v2/users/$OTHER_ID/personal_tokens/" "${DEMO[@]}" "${JSON[@]}" -d '{"scope": "read"}'
check "POST another user's personal_tokens (a user demo cannot see): 403" \
    's == 403 and d == {"detail": "You do not have permission to perform this action."}'
req GET "/api/v2/users/$OTHER_ID/personal_tokens/" "${DEMO[@]}"
check "GET another user's personal_tokens: 403" 's == 403'
req GET "/api/v2/users/$OTHER_ID/tokens/" "${DEMO[@]}"
check "GET another user's tokens: 403" 's == 403'
req POST /api/v2/users/99999/personal_tokens/ "${DEMO[@]}" "${JSON[@]}" -d '{}'
check "personal_tokens of an unknown user: 404" 's == 404'

req POST "/api/v2/users/$OTHER_ID/personal_tokens/" "${OTHER[@]}" "${JSON[@]}" -d '{"scope": "write"}'
OTHER_TOKEN_ID=$(py 'd["id"]')
req GET "/api/v2/tokens/$OTHER_TOKEN_ID/" "${DEMO[@]}"
check "GET someone else's token: 403" 's == 403'
req DELETE "/api/v2/tokens/$OTHER_TOKEN_ID/" "${DEMO[@]}"
check "DELETE someone else's token: 403" 's == 403'
req DELETE /api/v2/tokens/99999/ "${DEMO[@]}"
check "DELETE an unknown token: 404" 's == 404'
req GET /api/v2/tokens/ "${DEMO[@]}"
check "demo's token list leaves out other's token" "$OTHER_TOKEN_ID not in [t['id'] for t in d['results']]"
req GET /api/v2/tokens/ "${ADMIN[@]}"
check "admin's token list has everybody's" "{$PAT_ID, $OTHER_TOKEN_ID} <= {t['id'] for t in d['results']}"

req DELETE "/api/v2/tokens/$PAT_ID/" "${DEMO[@]}"
check "DELETE own token: 204, empty body" 's == 204 and b == ""'
req GET /api/v2/me/ -H "Authorization: Bearer $PAT"
check "the deleted PAT stops working at once" 's == 401'
req GET "/api/v2/users/$DEMO_ID/personal_tokens/" "${DEMO[@]}"
check "the deleted PAT is gone from the list" "$PAT_ID not in [t['id'] for t in d['results']]"

# --- applications -----------------------------------------------------------------------

APP='"name": "selftest app", "client_type": "confidential", "redirect_uris": "http://127.0.0.1/cb", "authorization_grant_type": "authorization-code"'
req POST /api/v2/applications/ "${ADMIN[@]}" "${JSON[@]}" -d "{$APP}"
check "application without organization (superuser): 400 organization required" \
    's == 400 and d == {"organization": ["This field is required."]}'
req POST /api/v2/applications/ "${DEMO[@]}" "${JSON[@]}" -d "{$APP}"
check "application without organization (non-superuser): 403, AWX's permission check comes first" 's == 403'
req POST /api/v2/applications/ "${DEMO[@]}" "${JSON[@]}" -d "{$APP, \"organization\": 2}"
check "application in an organization demo is not in: 403" 's == 403'
req POST /api/v2/applications/ "${DEMO[@]}" "${JSON[@]}" -d "{$APP, \"organization\": 1, \"description\": \"made by selftest\"}"
check "application in Default: 201 with client_secret shown once" \
    's == 201 and d["type"] == "o_auth2_application" and d["organization"] == 1 and len(d["client_secret"]) > 20 and d["client_secret"] != "************" and d["description"] == "made by selftest"'
check "application answer has AWX's fields" \
    'all(k in d for k in ("id","type","url","related","summary_fields","created","modified","name","description","client_id","client_secret","client_type","redirect_uris","authorization_grant_type","skip_authorization","organization")) and d["summary_fields"]["organization"]["name"] == "Default"'
APP_ID=$(py 'd["id"]')
req GET /api/v2/applications/ "${DEMO[@]}"
check "application list hides the secret" \
    "s == 200 and [a['client_secret'] for a in d['results'] if a['id'] == $APP_ID] == [$CENSORED]"
req POST /api/v2/applications/ "${DEMO[@]}" "${JSON[@]}" -d "{$APP, \"organization\": 1}"
check "same name in the same organization: 400" \
    's == 400 and d == {"__all__": ["Application with this Name and Organization already exists."]}'
req GET "/api/v2/applications/$APP_ID/" "${DEMO[@]}"
check "GET the application: 200, secret hidden" "s == 200 and d['id'] == $APP_ID and d['client_secret'] == $CENSORED"
req PATCH "/api/v2/applications/$APP_ID/" "${DEMO[@]}" "${JSON[@]}" -d '{"description": "changed", "authorization_grant_type": "password"}'
check "PATCH the application: 200, grant type stays" \
    's == 200 and d["description"] == "changed" and d["authorization_grant_type"] == "authorization-code"'
req POST /api/v2/applications/ "${ADMIN[@]}" "${JSON[@]}" -d "{$APP, \"organization\": 2}"
check "admin makes an application in Other: 201" 's == 201 and d["organization"] == 2'
OTHER_APP_ID=$(py 'd["id"]')
req DELETE "/api/v2/applications/$OTHER_APP_ID/" "${DEMO[@]}"
check "DELETE an application of another organization: 403" 's == 403'
req DELETE /api/v2/applications/99999/ "${DEMO[@]}"
check "DELETE an unknown application: 404" 's == 404'
req DELETE "/api/v2/applications/$APP_ID/" "${DEMO[@]}"
check "DELETE own organization's application: 204" 's == 204 and b == ""'
req GET "/api/v2/applications/$APP_ID/" "${DEMO[@]}"
check "the deleted application is gone: 404" 's == 404'

req POST /api/v2/applications/ "${DEMO[@]}" "${JSON[@]}" -d '{"name": "selftest password app", "organization": 1, "client_type": "confidential", "authorization_grant_type": "password"}'
check "password-grant application: 201" 's == 201 and d["authorization_grant_type"] == "password" and d["redirect_uris"] == ""'
MY_PW_ID=$(py 'd["client_id"]')
MY_PW_SECRET=$(py 'd["client_secret"]')

# --- password grant ---------------------------------------------------------------------

PW_ID=$(seed password_client_id)
PW_SECRET=$(seed password_client_secret)
req POST /api/o/token/ -u "$PW_ID:$PW_SECRET" -d 'grant_type=password&username=demo&password=demo-password&scope=read'
check "password grant with the seeded application: 200 and AWX's token answer" \
    's == 200 and d["token_type"] == "Bearer" and d["expires_in"] == 31536000000 and d["scope"] == "read" and d["access_token"] and d["refresh_token"] and "Cache-Control: no-store" in h'
AT=$(py 'd["access_token"]')
req GET /api/v2/me/ -H "Authorization: Bearer $AT"
check "its access token works on /api/v2/me/" "s == 200 and d['results'][0]['id'] == $DEMO_ID"
req GET /api/v2/tokens/ "${DEMO[@]}"
check "the token list shows it, token and refresh token hidden" \
    "any(t['application'] is not None and t['token'] == $CENSORED and t['refresh_token'] == $CENSORED for t in d['results'])"
req POST /api/o/token/ -u "$PW_ID:$PW_SECRET" -d 'grant_type=password&username=demo&password=wrong&scope=read'
check "password grant with a wrong password: 400 invalid_grant" 's == 400 and d["error"] == "invalid_grant"'
req POST /api/o/token/ -u "$(seed client_id):$(seed client_secret)" -d 'grant_type=password&username=demo&password=demo-password'
check "password grant with the authorization-code application: 400 unauthorized_client" \
    's == 400 and d["error"] == "unauthorized_client"'
req POST /api/o/token/ -u "$MY_PW_ID:$MY_PW_SECRET" -d 'grant_type=password&username=demo&password=demo-password&scope=read+write'
check "password grant with an application made through the API: 200" 's == 200 and d["scope"] == "read write"'

# --- authorization code (what existed before) -------------------------------------------

JAR=$STATE/cookies
CB=http://127.0.0.1:8765/callback
# form_fields: the form's inputs of the last answer as a urlencoded string
form_fields() {
    "$PY" -c '
import html.parser, sys, urllib.parse
class P(html.parser.HTMLParser):
    fields = []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("type") == "hidden" and a.get("name"):
            self.fields.append((a["name"], a.get("value") or ""))
p = P(); p.feed(open(sys.argv[1]).read())
print(urllib.parse.urlencode(p.fields))' "$STATE/body"
}
req GET '/api/login/?next=/api/' -c "$JAR" -b "$JAR"
req POST /api/login/ -c "$JAR" -b "$JAR" -d "$(form_fields)&username=demo&password=demo-password"
check "login form: 302" 's == 302'
req GET "/api/o/authorize/?response_type=code&client_id=$(seed client_id)&redirect_uri=$CB&scope=read&state=st8" -c "$JAR" -b "$JAR"
check "authorize shows the consent page" 's == 200 and "authorizationForm" in b'
req POST /api/o/authorize/ -c "$JAR" -b "$JAR" -d "$(form_fields)&allow=Authorize"
check "consent redirects to the loopback callback with code and state" \
    "s == 302 and 'Location: $CB?code=' in h and 'state=st8' in h"
CODE=$(py '__import__("re").search(r"code=([^&\s]+)", h).group(1)')
req POST /api/o/token/ -u "$(seed client_id):$(seed client_secret)" -d "grant_type=authorization_code&code=$CODE&redirect_uri=$CB"
check "code exchange: 200 with access and refresh token" 's == 200 and d["access_token"] and d["refresh_token"]'

# --- server detection --------------------------------------------------------------------

req GET /api/v2/ping/
check "GET /api/v2/ping/ without credentials: 200, AWX 24.6.1's ping" \
    's == 200 and list(d) == ["ha", "version", "active_node", "install_uuid", "instances", "instance_groups"] and d["version"] == "24.6.1" and d["ha"] is False and d["instances"][0]["node"] == d["active_node"] and [g["name"] for g in d["instance_groups"]] == ["controlplane", "default"] and "X-API-Product-Name: AWX" in h'
req GET /api/v2/
check "/api/v2/ lists ping first, as AWX" 'list(d)[0] == "ping" and d["ping"] == "/api/v2/ping/"'
req GET /api/gateway/v1/ping/
check "GET /api/gateway/v1/ping/: 404 with AWX's JSON" \
    's == 404 and d == {"detail": "The requested resource could not be found."} and "application/json" in h'

# --- session login, as a client program does it -----------------------------------------

# session_checks LABEL: login (GET for the csrftoken cookie, form POST), the API with the
# session cookie, CSRF on unsafe methods, a personal token made, listed and deleted, logout.
session_checks() {
    local l=$1 c0 c sid ck tid
    req GET /api/login/
    check "$l: GET /api/login/: 200 text/html with a csrftoken cookie" 's == 200 and "text/html" in h and cookie("csrftoken")'
    c0=$(py 'cookie("csrftoken")')
    req POST /api/login/ -H "Referer: $BASE/api/login/" -H "Cookie: csrftoken=$c0" \
        -d "username=demo&password=wrong&csrfmiddlewaretoken=$c0&next=/api/v2/me/"
    check "$l: wrong password: 401 text/html, the form again, no session" \
        's == 401 and "text/html" in h and "Please enter a correct username and password." in b and cookie("awx_sessionid") is None'
    req POST /api/login/ -H "Referer: $BASE/api/login/" -H "Cookie: csrftoken=$c0" \
        -d "username=disabled&password=disabled-password&csrfmiddlewaretoken=$c0&next=/api/v2/me/"
    check "$l: inactive user, right password: the same 401 as a wrong password" \
        's == 401 and "text/html" in h and "Please enter a correct username and password." in b and cookie("awx_sessionid") is None'
    req POST /api/login/ -H "Referer: $BASE/api/login/" -H "Cookie: csrftoken=$c0" \
        -d "username=demo&password=demo-password&next=/api/v2/me/"
    check "$l: login without csrfmiddlewaretoken: 403 text/html CSRF failure page" \
        's == 403 and "text/html" in h and "CSRF verification failed" in b and cookie("awx_sessionid") is None'
    req POST /api/login/ -H "Referer: $BASE/api/login/" -H "Cookie: csrftoken=$c0" \
        -d "username=demo&password=demo-password&csrfmiddlewaretoken=$c0&next=/api/v2/me/"
    check "$l: login: 302 to next, awx_sessionid set, csrftoken rotated, X-API-Session-Cookie-Name" \
        "s == 302 and 'Location: /api/v2/me/' in h and cookie('awx_sessionid') and cookie('csrftoken') not in (None, '$c0') and 'X-API-Session-Cookie-Name: awx_sessionid' in h"
    sid=$(py 'cookie("awx_sessionid")')
    c=$(py 'cookie("csrftoken")')
    ck="Cookie: awx_sessionid=$sid; csrftoken=$c"
    req GET /api/v2/me/ -H "$ck"
    check "$l: /api/v2/me/ with the session: demo" "s == 200 and d['results'][0]['id'] == $DEMO_ID"
    req POST "/api/v2/users/$DEMO_ID/personal_tokens/" -H "$ck" "${JSON[@]}" -d '{"description": "session PAT"}'
    check "$l: POST with the session but no X-CSRFToken: 403" 's == 403 and d == {"detail": "CSRF Failed: CSRF token missing."}'
    req POST "/api/v2/users/$DEMO_ID/personal_tokens/" -H "$ck" -H "X-CSRFToken: $c" -H "Referer: $BASE/api/login/" "${JSON[@]}" -d '{"description": "session PAT"}'
    check "$l: POST personal_tokens with session + X-CSRFToken: 201" 's == 201 and d["description"] == "session PAT" and len(d["token"]) >= 30'
    tid=$(py 'd["id"]')
    req GET "/api/v2/users/$DEMO_ID/personal_tokens/" -H "$ck"
    check "$l: the session lists it" "s == 200 and $tid in [t['id'] for t in d['results']]"
    req DELETE "/api/v2/tokens/$tid/" -H "$ck"
    check "$l: DELETE without X-CSRFToken: 403" 's == 403'
    req DELETE "/api/v2/tokens/$tid/" -H "$ck" -H "X-CSRFToken: $c" -H "Referer: $BASE/api/login/"
    check "$l: DELETE with X-CSRFToken: 204" 's == 204'
    req POST /api/logout/ -H "$ck"
    check "$l: POST /api/logout/ without the CSRF token: 403 text/html" 's == 403 and "text/html" in h'
    req GET /api/v2/me/ -H "$ck"
    check "$l: ... and the session still works" 's == 200'
    req POST /api/logout/ -H "$ck" -H "Referer: $BASE/api/logout/" -d "csrfmiddlewaretoken=$c"
    check "$l: POST /api/logout/ with csrfmiddlewaretoken: 302 to /api/, session cookie cleared" \
        's == 302 and "Location: /api/" in h and cookie("awx_sessionid") == "\"\"" and cookie("userLoggedIn") == "false"'
    req GET /api/v2/me/ -H "$ck"
    check "$l: the session no longer works: 401" 's == 401'
    req POST /api/login/ -H "Referer: $BASE/api/login/" -H "Cookie: csrftoken=$c" \
        -d "username=demo&password=demo-password&csrfmiddlewaretoken=$c&next=/api/v2/me/"
    ck="Cookie: awx_sessionid=$(py 'cookie("awx_sessionid")'); csrftoken=$(py 'cookie("csrftoken")')"
    req GET /api/logout/ -H "$ck"
    check "$l: GET /api/logout/ logs out too (Django 4.2): 302" 's == 302 and cookie("awx_sessionid") == "\"\""'
    req GET /api/v2/me/ -H "$ck"
    check "$l: ... the session no longer works: 401" 's == 401'
}
session_checks "session"

# --- the awx CLI (awxkit), the real consumer ------------------------------------------

# awx_cli ARGS...: awxkit's `awx` (if installed) with a password-grant token of demo;
# stdout to $STATE/body, the exit status to $STATUS
awx_cli() {
    STATUS=0
    CONTROLLER_HOST=$BASE CONTROLLER_OAUTH_TOKEN=$AWX_TOKEN CONTROLLER_COLOR=f \
        "$PY" -c 'import sys; from awxkit.cli import run; sys.argv[0] = "awx"; run()' "$@" \
        >"$STATE/body" 2>"$STATE/awx.err" || STATUS=$?
    : >"$STATE/headers"
}
if "$PY" -c 'import awxkit' 2>/dev/null; then
    AWX_TOKEN=$(curl -sS -u "$(seed password_client_id):$(seed password_client_secret)" \
        -d 'grant_type=password&username=demo&password=demo-password&scope=read' "$BASE/api/o/token/" |
        "$PY" -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
    awx_cli me
    check "awx me: demo" 's == 0 and [u["username"] for u in d["results"]] == ["demo"]'
    awx_cli users list -f human
    check "awx users list -f human: admin and demo" \
        "s == 0 and b.split()[:2] == ['id', 'username'] and [l.split()[1] for l in b.splitlines()[2:]] == ['admin', 'demo'] and '$DEMO_ID' in b"
    AWX_TOKEN=not-a-token
    awx_cli me
    check "awx me with a bad token: exit 1" "s == 1 and 'Valid credentials were not provided' in open('$STATE/awx.err').read()"
else
    echo "ok - awx CLI checks # SKIP awxkit is not installed in $PY"
fi

# --- FAKEAWX_NO_BASIC=1: no HTTP Basic, as in AAP 2.7 --------------------------------------

stop_server
start_server "$STATE/nobasic" FAKEAWX_NO_BASIC=1
BASE=$(seed base_url)
req GET /api/v2/me/
cp "$STATE/body" "$STATE/anonymous"
req GET /api/v2/me/ "${DEMO[@]}"
check "no-Basic: HTTP Basic with the right password: 401, the answer of no credentials" \
    "s == 401 and b == open('$STATE/anonymous').read() and 'WWW-Authenticate: Bearer realm=api authorization_url=/api/o/authorize/' in h"
req POST "/api/v2/users/$DEMO_ID/personal_tokens/" "${DEMO[@]}" "${JSON[@]}" -d '{}'
check "no-Basic: POST personal_tokens with HTTP Basic: 401" 's == 401'
req GET /api/v2/ping/
check "no-Basic: /api/v2/ping/ still needs no credentials" 's == 200 and d["version"] == "24.6.1"'
req POST /api/o/token/ -u "$(seed password_client_id):$(seed password_client_secret)" -d 'grant_type=password&username=demo&password=demo-password&scope=write'
check "no-Basic: /api/o/token/ still takes the client's credentials in HTTP Basic: 200" 's == 200 and d["access_token"]'
AT=$(py 'd["access_token"]')
req GET /api/v2/me/ -H "Authorization: Bearer $AT"
check "no-Basic: the bearer token works" "s == 200 and d['results'][0]['id'] == $DEMO_ID"
req POST /api/o/revoke_token/ -u "$(seed password_client_id):$(seed password_client_secret)" -d "token=$AT"
check "no-Basic: revoke with the client's credentials in HTTP Basic: 200" 's == 200'
req GET /api/v2/me/ -H "Authorization: Bearer $AT"
check "no-Basic: ... and the token is revoked" 's == 401'
session_checks "no-Basic session"
stop_server

echo "# $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
