#!/usr/bin/env python3
"""A Docker token service for the registry tests, in the shape ACR's
/oauth2/token has: GET with basic credentials (what skopeo and docker do)
and POST with grant_type=password or grant_type=refresh_token (what an
`identitytoken` in a Docker config is exchanged through). It signs RS256
JWTs with `openssl dgst` and puts the certificate in the `x5c` header, so
the real registry (distribution, `auth: token: rootcertbundle`) verifies
them against that certificate.

    token_server.py PORT KEY CERT USER PASSWORD REFRESH_TOKEN LOG SERVICE ISSUER

Listens on 127.0.0.1 only; appends one line per request to LOG
(`GET basic`, `POST refresh_token`, `POST refresh_token refused`, ...).
"""
import base64
import http.server
import json
import subprocess
import sys
import time
import urllib.parse
import uuid

PORT, KEY, CERT, USER, PASSWORD, REFRESH, LOG, SERVICE, ISSUER = sys.argv[1:10]


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def cert_der():
    pem = open(CERT).read()
    body = "".join(l for l in pem.splitlines() if l and not l.startswith("-----"))
    return base64.b64decode(body)


X5C = base64.b64encode(cert_der()).decode()


def sign(claims):
    header = {"typ": "JWT", "alg": "RS256", "x5c": [X5C]}
    signing_input = (b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())).encode()
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", KEY], input=signing_input,
                         capture_output=True, check=True).stdout
    return signing_input.decode() + "." + b64url(sig)


def access(scopes):
    out = []
    for scope in scopes:
        parts = scope.split(":")
        if len(parts) == 3 and parts[0] == "repository":
            out.append({"type": "repository", "name": parts[1], "actions": parts[2].split(",")})
    return out


def token(subject, scopes):
    now = int(time.time())
    return sign({"iss": ISSUER, "sub": subject, "aud": SERVICE, "exp": now + 600, "nbf": now - 60,
                 "iat": now, "jti": str(uuid.uuid4()), "access": access(scopes)})


def log(line):
    with open(LOG, "a") as f:
        f.write(line + "\n")


class Handler(http.server.BaseHTTPRequestHandler):
    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            user, _, pw = base64.b64decode(auth[6:]).decode().partition(":")
            if (user, pw) == (USER, PASSWORD):
                log("GET basic")
                t = token(user, query.get("scope", []))
                return self.answer(200, {"token": t, "access_token": t})
        log("GET refused")
        self.answer(401, {"errors": [{"code": "UNAUTHORIZED", "message": "bad credentials"}]})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        grant = form.get("grant_type", [""])[0]
        scopes = form.get("scope", [])
        ok = (grant == "refresh_token" and form.get("refresh_token", [""])[0] == REFRESH) or \
             (grant == "password" and form.get("username", [""])[0] == USER and form.get("password", [""])[0] == PASSWORD)
        if ok and form.get("service", [""])[0] == SERVICE:
            log(f"POST {grant} {' '.join(scopes)}")
            return self.answer(200, {"access_token": token("identity-token-user", scopes)})
        log(f"POST {grant} refused")
        self.answer(401, {"errors": [{"code": "UNAUTHORIZED", "message": "invalid refresh token"}]})

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", int(PORT)), Handler).serve_forever()
