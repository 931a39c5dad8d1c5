#!/usr/bin/python3
"""Capture server: serves page.html on 127.0.0.1, stores what the page posts, and lets plenum's
sdptool answer the browser's offers and write the subscribe offer. Usage: server.py PORT OUTDIR TOOL"""
import http.server, os, subprocess, sys, tempfile, urllib.parse

PORT, OUT, TOOL = int(sys.argv[1]), sys.argv[2], sys.argv[3]
HERE = os.path.dirname(os.path.abspath(__file__))


class H(http.server.BaseHTTPRequestHandler):
    def reply(self, code, body, ctype="text/plain"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        if u.path == "/page.html":
            with open(os.path.join(HERE, "page.html"), "rb") as f:
                return self.reply(200, f.read(), "text/html")
        if u.path == "/suboffer":
            r = subprocess.run([TOOL, "suboffer"], capture_output=True)
            with open(os.path.join(OUT, "plenum-subscribe-offer.sdp"), "wb") as f:
                f.write(r.stdout)
            return self.reply(200 if r.returncode == 0 else 500, r.stdout or r.stderr)
        self.reply(404, "no")

    def do_POST(self):
        u = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(u.query)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        name = os.path.basename(q.get("name", ["x"])[0])
        if u.path == "/save":
            with open(os.path.join(OUT, name), "wb") as f:
                f.write(body)
            return self.reply(200, "ok")
        if u.path == "/answer":
            with tempfile.NamedTemporaryFile(suffix=".sdp") as t:
                t.write(body)
                t.flush()
                r = subprocess.run([TOOL, "answer", t.name], capture_output=True)
            return self.reply(200 if r.returncode == 0 else 500, r.stdout or r.stderr)
        self.reply(404, "no")

    def log_message(self, *a):
        pass


http.server.HTTPServer(("127.0.0.1", PORT), H).serve_forever()
