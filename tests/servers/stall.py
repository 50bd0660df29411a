#!/usr/bin/python3
"""Loopback servers that stall, for the deadline tests (tests/deadlines.sh).

Binds 127.0.0.1:0 (or --bind, loopback only), prints "PORT <n>" once it is
ready, then serves every connection in its own thread until killed.

Modes:
  silent       accept, read whatever comes, never send a byte
  tls-silent   read the TLS ClientHello record, then send nothing
  tls-half     read the ClientHello, send the first half of a ServerHello
               record (its header announces more than is sent), then nothing
  drip         read the request, send an HTTP head with Content-Length: 100
               at once, then the body one byte per second
  drip-head    read the request, send the HTTP head itself one byte per second
  tarpit       listen with a full accept queue and never accept, so that a
               SYN is dropped and connect() hangs
  dns-silent   a DNS server on UDP and TCP port --port (53) that reads every
               query and never answers; meant for a private network namespace

--tls CERT KEY wraps drip and drip-head in TLS (the handshake completes, the
response drips inside records of one byte each).
"""

import argparse
import ipaddress
import socket
import ssl
import struct
import sys
import threading
import time

HOLD_SECONDS = 600  # longer than any test waits
BODY_LENGTH = 100


def read_request(conn):
    """Read up to the end of an HTTP request head (or EOF)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk


def read_record(conn):
    """Read one TLS record (the ClientHello): 5-byte header, then body."""
    head = b""
    while len(head) < 5:
        chunk = conn.recv(5 - len(head))
        if not chunk:
            return None
        head += chunk
    length = struct.unpack("!H", head[3:5])[0]
    body = b""
    while len(body) < length:
        chunk = conn.recv(length - len(body))
        if not chunk:
            break
        body += chunk
    return head + body


def half_server_hello():
    """The first half of a TLS 1.2 ServerHello record: the record header
    announces the whole message, the body stops halfway."""
    random = bytes(range(32))
    body = (b"\x03\x03" + random + b"\x00"  # version, random, no session id
            + b"\xc0\x2f" + b"\x00"  # ECDHE-RSA-AES128-GCM-SHA256, no compression
            + b"\x00\x05" + b"\xff\x01\x00\x01\x00")  # renegotiation_info
    handshake = b"\x02" + struct.pack("!I", len(body))[1:] + body
    record = b"\x16\x03\x03" + struct.pack("!H", len(handshake)) + handshake
    return record[: len(record) // 2]


def hold(conn):
    """Keep the connection open without sending; drain what the peer sends."""
    conn.settimeout(HOLD_SECONDS)
    try:
        while conn.recv(4096):
            pass
    except OSError:
        pass


def drip(conn, data):
    for i in range(len(data)):
        conn.sendall(data[i:i + 1])
        time.sleep(1)


def serve(conn, mode, tls):
    try:
        if tls is not None:
            conn = tls.wrap_socket(conn, server_side=True)
        if mode == "silent":
            hold(conn)
        elif mode == "tls-silent":
            read_record(conn)
            hold(conn)
        elif mode == "tls-half":
            if read_record(conn):
                conn.sendall(half_server_hello())
            hold(conn)
        elif mode in ("drip", "drip-head"):
            read_request(conn)
            head = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                    "Content-Length: %d\r\n\r\n" % BODY_LENGTH).encode()
            if mode == "drip":
                conn.sendall(head)
            else:
                drip(conn, head)
            drip(conn, b"x" * BODY_LENGTH)
            hold(conn)
    except OSError:
        pass  # the client gave up: what these servers are for
    finally:
        conn.close()


def tarpit(listener, address):
    """Fill the accept queue of a listen(0) socket with connections that are
    never accepted; on Linux a further SYN is dropped, so connect() hangs."""
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(16):
        s = socket.socket(listener.family, socket.SOCK_STREAM)
        s.settimeout(0.3)
        try:
            s.connect((address, port))
        except OSError:
            s.close()
            break
        fillers.append(s)
    else:
        sys.exit("tarpit: the accept queue never filled")
    print("PORT %d" % port, flush=True)
    while True:
        time.sleep(HOLD_SECONDS)


def dns_silent(address, port):
    """Take DNS queries over UDP and TCP, answer none."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    udp = socket.socket(family, socket.SOCK_DGRAM)
    udp.bind((address, port))
    tcp = socket.socket(family, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind((address, port))
    tcp.listen(16)

    def accept_all():
        while True:
            conn, _ = tcp.accept()
            threading.Thread(target=hold, args=(conn,), daemon=True).start()

    threading.Thread(target=accept_all, daemon=True).start()
    print("PORT %d" % port, flush=True)
    while True:
        udp.recvfrom(4096)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("silent", "tls-silent", "tls-half",
                                         "drip", "drip-head", "tarpit", "dns-silent"))
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=53, help="dns-silent only")
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    args = parser.parse_args()

    if not ipaddress.ip_address(args.bind).is_loopback:
        sys.exit("stall.py: refusing to bind a non-loopback address")
    tls = None
    if args.tls:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(*args.tls)

    if args.mode == "dns-silent":
        dns_silent(args.bind, args.port)
        return
    family = socket.AF_INET6 if ":" in args.bind else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((args.bind, 0))
    if args.mode == "tarpit":
        listener.listen(0)
        tarpit(listener, args.bind)
        return
    listener.listen(16)
    print("PORT %d" % listener.getsockname()[1], flush=True)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn, args.mode, tls),
                         daemon=True).start()


if __name__ == "__main__":
    main()
