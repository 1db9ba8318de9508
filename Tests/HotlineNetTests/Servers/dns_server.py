#!/usr/bin/env python3
"""A loopback DNS server for fault tests: every A query is answered with ADDRESS, unless the
mode file says otherwise. The mode is read on every query, so a test switches it mid-run:

  ok        NOERROR with one A record (ADDRESS, TTL 60)
  servfail  SERVFAIL
  timeout   no answer at all
Every query received is counted in MODE_FILE.count, so a test can tell whether it was asked.
Usage: dns_server.py PORT ADDRESS MODE_FILE
"""
import os
import socket
import struct
import sys

PORT, ADDRESS, MODE_FILE = int(sys.argv[1]), sys.argv[2], sys.argv[3]


def mode():
    try:
        with open(MODE_FILE) as f:
            return f.read().strip() or "ok"
    except OSError:
        return "ok"


def question_end(query):
    position = 12
    while query[position] != 0:
        position += 1 + query[position]
    return position + 5


sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", PORT))
received = 0
while True:
    query, peer = sock.recvfrom(4096)
    received += 1
    # Replaced whole, so a reader never sees it half written.
    with open(MODE_FILE + ".count.tmp", "w") as f:
        f.write(str(received))
    os.replace(MODE_FILE + ".count.tmp", MODE_FILE + ".count")
    if len(query) < 17:
        continue
    current = mode()
    if current == "timeout":
        continue
    end = question_end(query)
    question = query[12:end]
    qtype = struct.unpack("!H", query[end - 4:end - 2])[0]
    if current == "servfail":
        sock.sendto(query[:2] + struct.pack("!HHHHH", 0x8182, 1, 0, 0, 0) + question, peer)
        continue
    answers = b""
    count = 0
    if qtype == 1:
        answers = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton(ADDRESS)
        count = 1
    sock.sendto(query[:2] + struct.pack("!HHHHH", 0x8180, 1, count, 0, 0) + question + answers, peer)
