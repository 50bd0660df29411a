#!/usr/bin/python3
"""A TLS 1.3 server that sends KeyUpdate messages in the middle of a body.

Runs `openssl s_server` (OpenSSL's TLS stack sends the KeyUpdate) on
127.0.0.1 and drives it through its stdin: after the client's request it
writes a response head with Content-Length and the body in PARTS pieces,
and between two pieces the command `k` (KeyUpdate, update_not_requested)
or `K` (update_requested: the client must answer with a KeyUpdate of its
own). s_server's -msg trace goes to --log, so a test can see the client's
KeyUpdate arrive.

  keyupdate.py --cert C --key K --mode k|K [--updates N] [--log FILE]

Prints "PORT <n>" once listening; serves one connection, then exits. The
body is PARTS pieces of 40000 bytes, piece i made of the letter 'a' + i.
"""

import argparse
import ctypes
import re
import signal
import subprocess
import sys
import threading
import time

PR_SET_PDEATHSIG = 1


def die_with_parent():
    """In the child: s_server gets SIGKILL when this script ends, however."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)

PIECE = 40000


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--mode", choices=("k", "K"), required=True)
    ap.add_argument("--updates", type=int, default=1)
    ap.add_argument("--log", default="/dev/null")
    args = ap.parse_args()
    # Stopped by pid with SIGTERM: end through the finally below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    proc = subprocess.Popen(
        ["openssl", "s_server", "-accept", "127.0.0.1:0", "-tls1_3", "-msg", "-ign_eof",
         "-cert", args.cert, "-key", args.key],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        preexec_fn=die_with_parent)
    log = open(args.log, "ab")
    seen = threading.Event()

    def pump():
        for line in proc.stdout:
            log.write(line)
            log.flush()
            m = re.match(rb"ACCEPT .*:(\d+)", line)
            if m:
                print("PORT %s" % m.group(1).decode(), flush=True)
            if b"GET /" in line:
                seen.set()

    threading.Thread(target=pump, daemon=True).start()
    try:
        if not seen.wait(60):
            sys.exit("keyupdate.py: no request within 60 s")
        parts = args.updates + 1
        head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (PIECE * parts)
        # s_server takes each read of its stdin as one unit: a line that is
        # only "k" or "K" is a command, anything else is data. The pauses
        # keep the reads apart.
        proc.stdin.write(head + bytes([97]) * PIECE)
        proc.stdin.flush()
        for i in range(1, parts):
            time.sleep(0.3)
            proc.stdin.write(args.mode.encode() + b"\n")
            proc.stdin.flush()
            time.sleep(0.3)
            proc.stdin.write(bytes([97 + i]) * PIECE)
            proc.stdin.flush()
        time.sleep(1)
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
