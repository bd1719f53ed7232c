"""What both test servers share: the command line, start-up and serving loop (`main`),
the schema built in memory (`migrate`), the seeded users (`user`), seed.json written
atomically (`write_seed`), and
the HTTP server itself: Django's threaded development server, made to behave like the
front ends of real AWX and gateway deployments where a client can tell."""

import argparse
import json
import os
import signal
import socket
import sqlite3
import sys
from pathlib import Path


def main(doc, server_dir, settings_module, state_env, seed, *, syncdb=False, tls_env=None):
    """Parses `--port`, `--state-dir` and `--host`, sets Django up from `settings_module`
    (the state folder in the variable `state_env`), builds the schema, calls
    `seed(base_url, state_dir)`, then prints `READY <base_url>` and serves until SIGTERM.
    `syncdb` creates tables of apps without migrations; `tls_env`, a prefix such as
    "FAKEAWX", serves HTTPS when `<prefix>_TLS_CERT` and `<prefix>_TLS_KEY` name a PEM
    certificate (chain) and key."""
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--state-dir", required=True, type=Path)
    p.add_argument("--host", default="127.0.0.1")
    args = p.parse_args()

    def stop(signum, frame):
        raise SystemExit(0)

    # From the start, so a test that gives up early still sees a clean exit.
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    state_dir = args.state_dir.resolve()
    state_dir.mkdir(parents=True, exist_ok=True)
    os.environ[state_env] = str(state_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    sys.path.insert(0, str(Path(server_dir).resolve()))
    import django

    django.setup()

    from django.core.servers.basehttp import WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    # Bind before seeding so that seed.json can name the real port of --port 0.
    ipv6 = ":" in args.host
    httpd = server_class()((args.host, args.port), WSGIRequestHandler, ipv6=ipv6)
    port = httpd.server_address[1]
    host = f"[{args.host}]" if ipv6 else args.host
    scheme = "http"
    tls_cert = tls_env and os.environ.get(f"{tls_env}_TLS_CERT")
    tls_key = tls_env and os.environ.get(f"{tls_env}_TLS_KEY")
    if tls_cert and tls_key:
        import ssl

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls_cert, tls_key)
        # The handshake happens in the request's thread, so a stalled client blocks no one.
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True, do_handshake_on_connect=False)
        scheme = "https"
    base_url = f"{scheme}://{host}:{port}"

    migrate(state_dir / "db.sqlite3", syncdb=syncdb)
    seed(base_url, state_dir)
    application = get_wsgi_application()
    # Import the URLconf (and with it every view) now: a missing module fails the start,
    # not the first request.
    from django.urls import get_resolver

    get_resolver().url_patterns
    httpd.set_app(application)

    print(f"READY {base_url}", flush=True)
    try:
        httpd.serve_forever()
    finally:
        httpd.server_close()


def migrate(db_path, *, syncdb=False):
    """Build the schema in memory, where sqlite does not sync to disk after every
    statement, then copy it to the file in one go: several times faster on a busy disk.
    An existing database is only brought up to date (a no-op when it is)."""
    from django.core.management import call_command
    from django.db import connection

    if db_path.exists():
        call_command("migrate", verbosity=0, interactive=False, run_syncdb=syncdb)
        return
    tmp = db_path.with_name(db_path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    connection.settings_dict["NAME"] = ":memory:"
    connection.close()
    call_command("migrate", verbosity=0, interactive=False, run_syncdb=syncdb)
    dest = sqlite3.connect(tmp)
    connection.connection.backup(dest)
    dest.close()
    # Django never closes an in-memory database; name the file first so close() does.
    connection.settings_dict["NAME"] = str(db_path)
    connection.close()
    os.replace(tmp, db_path)


def write_seed(state_dir, info):
    """seed.json, replaced whole: a test reading it never sees half a file."""
    tmp = state_dir / "seed.json.tmp"
    tmp.write_text(json.dumps(info, indent=2) + "\n")
    os.replace(tmp, state_dir / "seed.json")


def user(User, username, password, *, superuser=False, **fields):
    """The seeded user `username`, created (as `username@example.com`) on the first start
    and kept as it is on later ones."""
    found = User.objects.filter(username=username).first()
    if found is not None:
        return found
    email = f"{username}@example.com"
    if superuser:
        return User.objects.create_superuser(username, email, password, **fields)
    return User.objects.create_user(username, email, password, **fields)


def server_class():
    """The HTTP server, made once Django is set up (its module needs the settings)."""
    from django.core.servers.basehttp import ThreadedWSGIServer

    class Server(ThreadedWSGIServer):
        request_queue_size = 128

        def get_request(self):
            # As the front ends of real servers do (nginx before AWX, Envoy in the gateway):
            # without it, Django's server sends a response's headers and body as two
            # segments, and on a reused keep-alive connection the body waits for the
            # client's delayed ACK (40 ms on Linux), which no real server makes a client pay.
            connection, address = super().get_request()
            try:
                connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass  # already reset by the peer: the request fails as it would have
            return connection, address

    return Server
