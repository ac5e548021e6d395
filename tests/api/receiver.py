#!/usr/bin/env python3
"""receiver.py — a webhook receiver for the webhook suites: a real HTTP
server on loopback that checks every Standard Webhooks signature with
Python's own hmac (independent of alurd's libsodium code) and logs each
request as one JSON line.

    receiver.py PORT_FILE LOG_FILE SECRETS_FILE

It listens on 127.0.0.1 on a free port and writes the port to PORT_FILE.
SECRETS_FILE (JSON: {"<path prefix>": ["whsec_...", ...]}) is re-read on
every request, so the test can add a subscription's secret after creating
it. The first path segment chooses how it answers, per webhook-id:

    /ok/...       200
    /flaky/...    500 to the first two attempts, then 200
    /limited/...  429 with Retry-After: 2 to the first attempt, then 200
    /gone/...     410
    /fail/...     500 always
    /hang/...     the first attempt gets no answer until the daemon closes
                  the connection at its timeout (bounded at 30 s), then 200
    /held/...     each attempt is noted in LOG_FILE.arrived (one line per
                  arrival) and held until the test ends the hold (POST
                  /release), bounded at 30 s, then 200: the test knows
                  when attempts are in flight
    /release      ends the hold of /held/ for good (answers 204, not logged)

A log line: path, webhook-id, timestamp, signatures, verified (every v1
signature given checks out with some secret of the path and at least one
does), status answered, start and end (monotonic seconds), overlap (another
request with the same webhook-id was in flight), body.
"""
import base64
import hashlib
import hmac
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT_FILE, LOG_FILE, SECRETS_FILE = sys.argv[1:4]
lock = threading.Lock()
seen = {}        # (path kind, webhook-id) -> attempts so far
in_flight = {}   # webhook-id -> count
released = threading.Event()  # POST /release: /held/ answers from then on


def secrets_for(path):
    try:
        with open(SECRETS_FILE) as f:
            table = json.load(f)
    except (OSError, ValueError):
        return []
    out = []
    for prefix, secrets in table.items():
        if path.startswith(prefix):
            out.extend(secrets)
    return out


def verify(path, msg_id, ts, body, header):
    sigs = [s[3:] for s in header.split(' ') if s.startswith('v1,')]
    if not sigs or not msg_id or not ts:
        return False
    expected = set()
    for secret in secrets_for(path):
        key = base64.b64decode(secret[len('whsec_'):])
        mac = hmac.new(key, f'{msg_id}.{ts}.'.encode() + body, hashlib.sha256).digest()
        expected.add(base64.b64encode(mac).decode())
    return all(s in expected for s in sigs)


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def do_POST(self):
        start = time.monotonic()
        n = int(self.headers.get('Content-Length', '0'))
        body = self.rfile.read(n)
        if self.path == '/release':
            released.set()
            self.send_response(204)
            self.send_header('Content-Length', '0')
            self.end_headers()
            return
        msg_id = self.headers.get('webhook-id', '')
        ts = self.headers.get('webhook-timestamp', '')
        sig = self.headers.get('webhook-signature', '')
        kind = self.path.split('/')[1] if self.path.count('/') >= 1 else ''
        with lock:
            attempt = seen.get((self.path, msg_id), 0) + 1
            seen[(self.path, msg_id)] = attempt
            overlap = in_flight.get(msg_id, 0) > 0
            in_flight[msg_id] = in_flight.get(msg_id, 0) + 1
        status, extra = 200, {}
        if kind == 'flaky' and attempt <= 2:
            status = 500
        elif kind == 'limited' and attempt == 1:
            status, extra = 429, {'Retry-After': '2'}
        elif kind == 'gone':
            status = 410
        elif kind == 'fail':
            status = 500
        elif kind == 'hang' and attempt == 1:
            # no answer until the daemon gives up on this attempt: it closes
            # the connection at its timeout (EOF here), bounded at 30 s
            self.connection.settimeout(30)
            try:
                while self.connection.recv(1024):
                    pass
            except OSError:
                pass
        elif kind == 'held':
            with lock:
                with open(LOG_FILE + '.arrived', 'a') as f:
                    f.write(json.dumps({'path': self.path, 'id': msg_id}) + '\n')
            released.wait(30)
        try:
            self.send_response(status)
            for k, v in extra.items():
                self.send_header(k, v)
            self.send_header('Content-Length', '2')
            self.end_headers()
            self.wfile.write(b'ok')
        except OSError:
            pass  # the daemon gave up (timeout): the attempt is logged all the same
        end = time.monotonic()
        with lock:
            in_flight[msg_id] -= 1
            line = json.dumps({'path': self.path, 'id': msg_id, 'ts': ts, 'sig': sig,
                               'content_type': self.headers.get('Content-Type', ''),
                               'verified': verify(self.path, msg_id, ts, body, sig),
                               'status': status, 'start': start, 'end': end, 'overlap': overlap,
                               'body': body.decode('utf-8', 'replace')})
            with open(LOG_FILE, 'a') as f:
                f.write(line + '\n')


server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
server.daemon_threads = True
with open(PORT_FILE + '.tmp', 'w') as f:
    f.write(str(server.server_address[1]))
import os  # noqa: E402
os.rename(PORT_FILE + '.tmp', PORT_FILE)
server.serve_forever()
