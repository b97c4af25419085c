#!/usr/bin/env python3
"""Plays systemd's side of sd_notify: binds a datagram socket and prints every message
received until killed or until --until TEXT has been seen. Used by cli_test.sh."""
import socket
import sys

path, until, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(timeout)
print("listening", flush=True)
try:
    while True:
        msg = s.recv(4096).decode()
        print(msg.replace("\n", " | "), flush=True)
        if until in msg:
            break
except socket.timeout:
    print("timeout", flush=True)
    sys.exit(1)
