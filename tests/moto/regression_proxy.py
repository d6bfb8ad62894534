"""A planted regression in front of moto: forwards every request to moto's
server and passes its answers back unchanged, except that CreatePipeline
answers 500 InternalServiceError. tests/moto/check.sh runs the corpus through
it with moto's baseline: the cases that passed (or failed only as known) must
now fail, and the run must say so.

    python3 regression_proxy.py MOTO_URL   # prints the proxy's URL, then serves
"""

import http.client
import json
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MOTO = urllib.parse.urlsplit(sys.argv[1])


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("X-Amz-Target") == "DataPipeline.CreatePipeline":
            payload = json.dumps(
                {"__type": "InternalServiceError", "message": "planted regression"}
            ).encode()
            self.answer(500, [("Content-Type", "application/x-amz-json-1.1")], payload)
            return
        upstream = http.client.HTTPConnection(MOTO.hostname, MOTO.port, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        upstream.request("POST", self.path, body=body, headers=headers)
        response = upstream.getresponse()
        payload = response.read()
        kept = [
            (k, v)
            for k, v in response.getheaders()
            if k.lower() not in ("content-length", "transfer-encoding", "connection")
        ]
        self.answer(response.status, kept, payload)
        upstream.close()

    def answer(self, status, headers, payload):
        self.send_response_only(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
server.serve_forever()
