#!/usr/bin/env python3
"""A stand-in for Meta's Graph API for the WhatsApp end-to-end test.

Usage: fake_graph.py LOG_FILE. Listens on 127.0.0.1 (a free port, printed as "listening on PORT"), records every
POST as one JSON line in LOG_FILE (path, Authorization header, body) and answers 200 with a fresh wamid, as the
Cloud API's /messages does.
"""
import http.server
import json
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    sent = 0

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode("utf-8")
        Handler.sent += 1
        with open(sys.argv[1], "a", encoding="utf-8") as log:
            record = {"path": self.path, "authorization": self.headers.get("Authorization"), "body": body}
            log.write(json.dumps(record) + "\n")
        answer = json.dumps({"messaging_product": "whatsapp", "messages": [{"id": f"wamid.E2E{Handler.sent}"}]})
        data = answer.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *arguments):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
print(f"listening on {server.server_port}", flush=True)
server.serve_forever()
