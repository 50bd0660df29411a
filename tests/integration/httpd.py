#!/usr/bin/python3
"""Plain or TLS HTTP test server for the integration tests.

Binds ADDRESS:0 (or --port), prints "PORT <n>" on stdout once listening,
then serves until killed.  Only loopback addresses are accepted, so a typo
cannot expose a test server or make a test reach another host.

Routes (GET and HEAD):
  /                       200, body "integration body\n"
  /static/NAME            200, the file NAME from --root, byte for byte
  /status/N               status N, body "status N\n"
  /redirect/N             302 to /redirect/N-1; /redirect/0 is 200 "final body\n"
  /loop                   302 to itself
  /redirect-to?url=URL[&code=N]
                          302 (or N: 301, 303, 307, 308) to URL (percent-decoded)
  /headers                200, body is the request head exactly as received
  /sni                    200, body "sni: NAME" (the TLS server_name the
                          client sent) or "sni: (none)"; plain HTTP: "sni: (plain)"
  /echo-body              200, body "METHOD m\nTYPE content-type\nBODY b" (any
                          method; b is the request body, by Content-Length)
  /pad/N/TEXT             200, N bytes of 'x', then TEXT
  /record                 200 "secret body\n", then reads the connection
                          until the client closes it and appends to --log
                          "after-response: N bytes" (or "after-response:
                          error WHY"): a client must send nothing more
  /chunked                200, chunked transfer encoding
  /nolength               200 without Content-Length, body ends at close
  /slow                   reads the request, then says nothing for 30 s
  /slow-body              headers and half the body, then nothing for 30 s
  /empty                  closes without a reply (curl: 52)
  /partial                Content-Length 1000, sends 10 bytes, closes (18)
  /reset                  resets the connection (56)
  /weird                  a header line without a colon (8)

(A server whose accept queue is full, for --connect-timeout, is
tests/servers/stall.py's tarpit mode.)
"""

import argparse
import ipaddress
import os
import socket
import socketserver
import ssl
import struct
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler

QUIET_SECONDS = 30


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    root = "."
    log_path = None

    def version_string(self):
        return "hello-test-httpd"

    def log_message(self, fmt, *args):  # keep the test output clean
        sys.stderr.write("httpd: " + (fmt % args) + "\n")

    def send_body(self, code, body, ctype="text/plain", extra=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def redirect(self, location):
        self.send_body(302, b"moved\n", extra=[("Location", location)])

    def raw(self, data):
        self.wfile.write(data)
        self.wfile.flush()

    def do_HEAD(self):
        self.do_GET()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = lambda self: self.do_GET()

    def record_rest(self):
        """Reads what the client sends after the response, until it closes."""
        got = 0
        why = None
        self.connection.settimeout(10)
        try:
            while True:
                data = self.connection.recv(65536)
                if not data:
                    break
                got += len(data)
        except (ssl.SSLEOFError, ConnectionResetError):
            pass
        except (OSError, ssl.SSLError) as err:
            why = str(err)
        if self.log_path:
            with open(self.log_path, "a") as f:
                f.write("after-response: %s\n" % ("error " + why if why else "%d bytes" % got))

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        if path == "/":
            self.send_body(200, b"integration body\n")
        elif path.startswith("/static/"):
            name = os.path.basename(path[len("/static/"):])
            try:
                with open(os.path.join(self.root, name), "rb") as f:
                    body = f.read()
            except OSError:
                self.send_body(404, b"no such file\n")
                return
            self.send_body(200, body, "application/octet-stream")
        elif path.startswith("/status/"):
            code = int(path[len("/status/"):])
            self.send_body(code, b"status %d\n" % code)
        elif path.startswith("/redirect/"):
            hops = int(path[len("/redirect/"):])
            if hops <= 0:
                self.send_body(200, b"final body\n")
            else:
                self.redirect("/redirect/%d" % (hops - 1))
        elif path == "/loop":
            self.redirect("/loop")
        elif path == "/redirect-to":
            query = urllib.parse.parse_qs(url.query)
            code = int(query.get("code", ["302"])[0])
            self.send_body(code, b"moved\n", extra=[("Location", query.get("url", ["/"])[0])])
        elif path == "/sni":
            if isinstance(self.connection, ssl.SSLSocket):
                name = getattr(self.connection, "hello_sni", None)
                self.send_body(200, ("sni: %s\n" % (name or "(none)")).encode())
            else:
                self.send_body(200, b"sni: (plain)\n")
        elif path == "/echo-body":
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else b""
            out = b"METHOD %s\nTYPE %s\nBODY %s" % (self.command.encode(),
                                                    (self.headers.get("Content-Type") or "-").encode(), body)
            self.send_body(200, out)
        elif path.startswith("/pad/"):
            _, _, n, text = path.split("/", 3)
            self.send_body(200, b"x" * int(n) + text.encode())
        elif path == "/record":
            self.send_body(200, b"secret body\n")
            self.wfile.flush()
            self.record_rest()
            self.close_connection = True
        elif path == "/headers":
            head = self.requestline + "\r\n" + str(self.headers)
            self.send_body(200, head.encode("latin-1"))
        elif path == "/chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            if self.command != "HEAD":
                for part in (b"chunked ", b"transfer ", b"body\n"):
                    self.raw(b"%x\r\n%s\r\n" % (len(part), part))
                self.raw(b"0\r\n\r\n")
        elif path == "/nolength":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.raw(b"body until close\n")
            self.close_connection = True
        elif path == "/slow":
            time.sleep(QUIET_SECONDS)
            self.close_connection = True
        elif path == "/slow-body":
            self.send_response(200)
            self.send_header("Content-Length", "20")
            self.end_headers()
            self.raw(b"0123456789")
            time.sleep(QUIET_SECONDS)
            self.close_connection = True
        elif path == "/empty":
            self.close_connection = True
        elif path == "/partial":
            self.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789")
            self.close_connection = True
        elif path == "/reset":
            # SO_LINGER with a zero timeout makes close() send RST; close
            # here, before socketserver's shutdown(SHUT_WR) sends a FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            os.close(self.connection.detach())
            self.close_connection = True
        elif path == "/weird":
            self.raw(b"HTTP/1.1 200 OK\r\nno colon in this header\r\n\r\n")
            self.close_connection = True
        else:
            self.send_body(404, b"not found\n")


class TLSMixin:
    """Wraps each accepted socket in TLS when self.context is set."""

    def get_request(self):
        sock, addr = super().get_request()
        if self.context is not None:
            # Handshake in the handler thread so one bad client cannot stall
            # the accept loop.
            sock = self.context.wrap_socket(sock, server_side=True,
                                            do_handshake_on_connect=False)
        return sock, addr

    def finish_request(self, request, client_address):
        if isinstance(request, ssl.SSLSocket):
            try:
                request.settimeout(QUIET_SECONDS + 5)
                request.do_handshake()
            except (OSError, ssl.SSLError) as err:
                sys.stderr.write("httpd: handshake: %s\n" % err)
                return
        super().finish_request(request, client_address)


class Server(TLSMixin, socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, handler, family, context):
        self.address_family = family
        self.context = context
        super().__init__(address, handler)


class UnixServer(TLSMixin, socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    """The same routes on a unix socket (for --unix-socket)."""
    daemon_threads = True

    def __init__(self, path, handler, context):
        self.context = context
        super().__init__(path, handler)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--root", default=".")
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--log", help="file that /record appends to")
    parser.add_argument("--unix", metavar="PATH", help="serve on this unix socket instead")
    args = parser.parse_args()

    addr = ipaddress.ip_address(args.bind)
    if not addr.is_loopback:
        parser.error("refusing to bind a non-loopback address")
    family = socket.AF_INET6 if addr.version == 6 else socket.AF_INET

    context = None
    if args.tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls[0], args.tls[1])

        def note_sni(sock, name, _context):
            sock.hello_sni = name
        context.sni_callback = note_sni
    Handler.root = args.root
    Handler.log_path = args.log
    if args.unix:
        server = UnixServer(args.unix, Handler, context)
        print("PORT 0", flush=True)
        server.serve_forever()
        return
    server = Server((args.bind, args.port), Handler, family, context)
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
