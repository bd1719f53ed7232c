"""The HTTP server both test servers run on: Django's threaded development server, made to
behave like the front ends of real AWX and gateway deployments where a client can tell."""

import socket

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
