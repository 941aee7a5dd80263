#!/usr/bin/env python3
"""tests/issuer.py - an OpenID issuer for the tests, on 127.0.0.1 only.

Serves over HTTPS
  GET ISSUER_PATH/.well-known/openid-configuration
        {"issuer": ISSUER, "jwks_uri": BASE + "/jwks"}
  GET /jwks
        the current JWKS file, with an ETag (a hash of the body) and a
        Last-Modified, Cache-Control: max-age when set, and 304 Not Modified
        when If-None-Match (or, without it, If-Modified-Since) matches
where BASE is https://127.0.0.1:PORT and ISSUER is BASE + --issuer-path.
A second HTTPS listener (alt_port) serves the same JWKS at /jwks on another
port: the target of redirect_other, counted as "other".

A control server (plain HTTP, 127.0.0.1, for the tests only) changes the
behaviour and reads the request counts:
  GET /counts                 all counters as one JSON object
  GET /count?name=KEY         one counter, a bare number
  GET|POST /reset             counters to zero and every setting back to the
                              start; /reset?what=counts zeroes the counters only
  GET /set?...                any of
        jwks=PATH             serve another JWKS file (rotation)
        mode=ok|down|slow|trickle|garbage|huge|huge_stream|status|
             redirect_other|redirect_same|bad_issuer
        target=jwks|discovery|both     where mode applies (default both)
        delay=S               for slow (before answering) and trickle (between
                              bytes of the body)
        code=N                for status (default 503)
        max_age=N             send Cache-Control: max-age=N (-1: none)
        no_etag=0|1           leave out the ETag (and ignore If-None-Match)
        no_lastmod=0|1        leave out Last-Modified
        tls=main|other        present the certificate of the test CA or of
                              the other CA
Modes: down closes the connection without answering; slow waits delay
seconds, then answers; trickle sends the headers, then the body one byte
every delay seconds; garbage answers 200 with a body that is not JSON; huge
answers 200 with a valid document padded past its limit (JWKS 1 MiB,
discovery 64 KiB; with Content-Length), huge_stream the same without
Content-Length (ended by closing); status
answers code; redirect_other answers 302 to alt_port; redirect_same answers
302 to another path of this origin that serves the same document;
bad_issuer makes the discovery document name another issuer.

Counters: connections (TCP connections accepted), tls_failures (handshakes
that failed), requests (HTTP requests), discovery, jwks (requests for each,
redirected ones included), jwks_304, discovery_304, redirects, other,
dropped (requests closed unanswered), not_found, inm (requests with
If-None-Match), ims (with If-Modified-Since).

--portfile gets {"port": P, "alt_port": A, "control_port": C, "issuer": ISSUER}
(written when every socket listens); --pidfile the process id.  SIGTERM and
SIGINT end it with status 0.  Python 3 standard library only.
"""

import argparse
import email.utils
import hashlib
import http.server
import json
import os
import signal
import socket
import ssl
import sys
import threading
import time
import urllib.parse

BIND = "127.0.0.1"
HUGE_JWKS = (1 << 20) + 4096        # past the 1 MiB JWKS limit
HUGE_DISCOVERY = (64 << 10) + 4096  # past the 64 KiB discovery limit
# the body of mode garbage: the tests check that nothing prints it
GARBAGE = b"<html>jwt-auth-test-garbage { not json\n"
COUNTERS = ("connections", "tls_failures", "requests", "discovery", "jwks",
            "jwks_304", "discovery_304", "redirects", "other", "dropped",
            "not_found", "inm", "ims")
MODES = ("ok", "down", "slow", "trickle", "garbage", "huge", "huge_stream",
         "status", "redirect_other", "redirect_same", "bad_issuer")
TARGETS = ("jwks", "discovery", "both")
SETTINGS = ("jwks", "mode", "target", "delay", "code", "max_age", "no_etag",
            "no_lastmod", "tls")
DISCOVERY = "/.well-known/openid-configuration"
MOVED = "/moved"


class State:
    """Settings and counters, shared by every thread under one lock."""

    def __init__(self, jwks_path):
        self.lock = threading.Lock()
        self.initial_jwks = jwks_path
        self.counts = {}
        self.reset_counts()
        self.reset_settings()

    def reset_counts(self):
        with self.lock:
            self.counts = dict.fromkeys(COUNTERS, 0)

    def reset_settings(self):
        body = load_jwks(self.initial_jwks)
        with self.lock:
            self.mode = "ok"
            self.target = "both"
            self.delay = 1.0
            self.code = 503
            self.max_age = -1
            self.no_etag = False
            self.no_lastmod = False
            self.tls = "main"
            self.set_jwks_locked(body)

    def set_jwks_locked(self, body):
        if getattr(self, "jwks", None) == body:
            return
        self.jwks = body
        self.etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        # a change always moves Last-Modified on, even within one second
        previous = getattr(self, "last_modified", 0)
        self.last_modified = max(int(time.time()), previous + 1)

    def count(self, name):
        with self.lock:
            self.counts[name] += 1

    def snapshot(self):
        with self.lock:
            return {
                "mode": self.mode, "target": self.target,
                "delay": self.delay, "code": self.code,
                "max_age": self.max_age, "no_etag": self.no_etag,
                "no_lastmod": self.no_lastmod, "tls": self.tls,
                "jwks": self.jwks, "etag": self.etag,
                "last_modified": self.last_modified,
            }


def load_jwks(path):
    with open(path, "rb") as f:
        return f.read()


class QuietHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two TLS records: with Nagle's algorithm
    # the second waits for the client's delayed acknowledgement (~40 ms)
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # noqa: A002 (the base's name)
        if self.server.verbose:
            sys.stderr.write("issuer.py: %s %s\n" % (self.address_string(),
                                                     format % args))


class IssuerHandler(QuietHandler):
    """The HTTPS side: discovery and JWKS."""

    def do_GET(self):
        st = self.server.state
        st.count("requests")
        if self.headers.get("If-None-Match") is not None:
            st.count("inm")
        if self.headers.get("If-Modified-Since") is not None:
            st.count("ims")
        path = urllib.parse.urlsplit(self.path).path
        cfg = st.snapshot()
        disc = self.server.issuer_path + DISCOVERY
        if self.server.alt:
            # another origin with the same documents: a client that
            # followed a redirect here would succeed, so refusing shows
            st.count("other")
            if path == "/jwks":
                self.send_jwks(cfg)
            elif path == disc:
                self.send_discovery(cfg)
            else:
                self.answer(404, b"not found\n", "text/plain")
            return
        if path in (disc, MOVED + disc):
            st.count("discovery")
            if not self.apply_mode(cfg, "discovery", disc):
                self.send_discovery(cfg)
        elif path in ("/jwks", MOVED + "/jwks"):
            st.count("jwks")
            if not self.apply_mode(cfg, "jwks", "/jwks"):
                self.send_jwks(cfg)
        else:
            st.count("not_found")
            self.answer(404, b"not found\n", "text/plain")

    def do_HEAD(self):
        self.server.state.count("requests")
        self.answer(405, b"", "text/plain")

    def do_POST(self):
        self.server.state.count("requests")
        self.answer(405, b"method not allowed\n", "text/plain")

    # -- modes -----------------------------------------------------------
    def apply_mode(self, cfg, what, path):
        """Answer as the mode says; False when the normal answer is due."""
        mode = cfg["mode"]
        if mode == "ok" or cfg["target"] not in (what, "both"):
            return False
        st = self.server.state
        if mode == "down":
            st.count("dropped")
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return True
        if mode == "slow":
            time.sleep(cfg["delay"])
            return False
        if mode == "trickle":
            self.trickle(cfg, what)
            return True
        if mode == "garbage":
            self.answer(200, GARBAGE, "application/json")
            return True
        if mode in ("huge", "huge_stream"):
            self.send_huge(cfg, what, mode == "huge_stream")
            return True
        if mode == "status":
            self.answer(cfg["code"], b'{"error":"unavailable"}\n',
                        "application/json")
            return True
        if mode == "redirect_other":
            st.count("redirects")
            self.redirect("https://%s:%d%s" % (BIND, self.server.alt_port,
                                               path))
            return True
        if mode == "redirect_same" and not self.path.startswith(MOVED):
            st.count("redirects")
            self.redirect("%s%s%s" % (self.server.base, MOVED, path))
            return True
        return False

    def trickle(self, cfg, what):
        body = self.jwks_body(cfg) if what == "jwks" \
            else self.discovery_body(cfg)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            for i in range(len(body)):
                self.wfile.write(body[i:i + 1])
                self.wfile.flush()
                time.sleep(cfg["delay"])
        except OSError:
            pass
        self.close_connection = True

    def send_huge(self, cfg, what, stream):
        """A valid document, padded past its size limit."""
        if what == "jwks":
            doc = json.loads(cfg["jwks"].decode("utf-8"))
            doc["padding"] = "A" * HUGE_JWKS
        else:
            doc = json.loads(self.discovery_body(cfg).decode("utf-8"))
            doc["padding"] = "A" * HUGE_DISCOVERY
        body = json.dumps(doc).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if stream:
            self.send_header("Connection", "close")
        else:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass
        self.close_connection = True

    # -- normal answers ----------------------------------------------------
    def discovery_body(self, cfg):
        issuer = self.server.issuer
        if cfg["mode"] == "bad_issuer" and cfg["target"] in ("discovery",
                                                             "both"):
            issuer = self.server.base + "/another-issuer"
        doc = {"issuer": issuer, "jwks_uri": self.server.base + "/jwks",
               "response_types_supported": ["code"],
               "subject_types_supported": ["public"],
               "id_token_signing_alg_values_supported": ["ES256", "RS256"]}
        return json.dumps(doc).encode("utf-8")

    def jwks_body(self, cfg):
        return cfg["jwks"]

    def send_discovery(self, cfg):
        self.answer(200, self.discovery_body(cfg), "application/json",
                    cache=cfg)

    def send_jwks(self, cfg):
        if self.not_modified(cfg):
            self.server.state.count("jwks_304")
            self.send_response(304)
            self.validators(cfg)
            self.cache_control(cfg)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.answer(200, self.jwks_body(cfg), "application/json", cache=cfg,
                    validators=True)

    def not_modified(self, cfg):
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            if cfg["no_etag"]:
                return False
            for tag in inm.split(","):
                tag = tag.strip()
                if tag.startswith("W/"):
                    tag = tag[2:]
                if tag in ("*", cfg["etag"]):
                    return True
            return False
        ims = self.headers.get("If-Modified-Since")
        if ims is None or cfg["no_lastmod"]:
            return False
        try:
            when = email.utils.parsedate_to_datetime(ims).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return False
        return cfg["last_modified"] <= when

    def validators(self, cfg):
        if not cfg["no_etag"]:
            self.send_header("ETag", cfg["etag"])
        if not cfg["no_lastmod"]:
            self.send_header("Last-Modified", email.utils.formatdate(
                cfg["last_modified"], usegmt=True))

    def cache_control(self, cfg):
        if cfg["max_age"] >= 0:
            self.send_header("Cache-Control",
                             "public, max-age=%d" % cfg["max_age"])

    def redirect(self, location):
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def answer(self, code, body, ctype, cache=None, validators=False):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if cache is not None:
            self.cache_control(cache)
            if validators:
                self.validators(cache)
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            self.close_connection = True


class TLSServer(http.server.ThreadingHTTPServer):
    """Threads per connection; the TLS handshake runs in the thread."""
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, addr, handler, state, contexts, alt):
        super().__init__(addr, handler)
        self.state = state
        self.contexts = contexts
        self.alt = alt
        self.verbose = False
        self.issuer_path = ""
        self.base = ""
        self.issuer = ""
        self.alt_port = 0

    def finish_request(self, request, client_address):
        st = self.state
        st.count("connections")
        request.settimeout(120)
        with st.lock:
            which = st.tls
        try:
            ctx = self.contexts.get(which, self.contexts["main"])
            conn = ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            st.count("tls_failures")
            return
        try:
            self.RequestHandlerClass(conn, client_address, self)
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        # a client that went away is no error of the server
        if self.verbose:
            super().handle_error(request, client_address)


class ControlHandler(QuietHandler):
    """Plain HTTP, for the test scripts only."""

    def do_POST(self):
        self.do_GET()

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        st = self.server.state
        try:
            if url.path == "/counts":
                with st.lock:
                    body = json.dumps(st.counts, sort_keys=True)
            elif url.path == "/count":
                name = one(q, "name")
                with st.lock:
                    body = str(st.counts[name])
            elif url.path == "/reset":
                st.reset_counts()
                if q.get("what", [""])[0] != "counts":
                    st.reset_settings()
                body = "ok"
            elif url.path == "/set":
                self.apply_settings(q)
                body = json.dumps({k: v for k, v in st.snapshot().items()
                                   if k != "jwks"}, sort_keys=True)
            else:
                raise LookupError("no such control path " + url.path)
        except (LookupError, ValueError, OSError) as e:
            self.reply(400, "error: %s\n" % e)
            return
        self.reply(200, body + "\n")

    def apply_settings(self, q):
        st = self.server.state
        unknown = set(q) - set(SETTINGS)
        if unknown:
            raise ValueError("unknown settings: " + ", ".join(sorted(unknown)))
        body = load_jwks(one(q, "jwks")) if "jwks" in q else None
        with st.lock:
            if body is not None:
                st.set_jwks_locked(body)
            if "mode" in q:
                st.mode = choice(one(q, "mode"), MODES)
                st.target = "both"
            if "target" in q:
                st.target = choice(one(q, "target"), TARGETS)
            if "delay" in q:
                st.delay = float(one(q, "delay"))
            if "code" in q:
                st.code = int(one(q, "code"))
            if "max_age" in q:
                st.max_age = int(one(q, "max_age"))
            if "no_etag" in q:
                st.no_etag = flag(one(q, "no_etag"))
            if "no_lastmod" in q:
                st.no_lastmod = flag(one(q, "no_lastmod"))
            if "tls" in q:
                st.tls = choice(one(q, "tls"), ("main", "other"))
                if st.tls not in self.server.contexts:
                    raise ValueError("no certificate for tls=other")

    def reply(self, code, text):
        body = text.encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def one(q, key):
    if key not in q or len(q[key]) != 1:
        raise ValueError("give %s exactly once" % key)
    return q[key][0]


def choice(value, allowed):
    if value not in allowed:
        raise ValueError("%r is not one of %s" % (value, ", ".join(allowed)))
    return value


def flag(value):
    return choice(value, ("0", "1")) == "1"


class ControlServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, addr, handler, state, contexts):
        super().__init__(addr, handler)
        self.state = state
        self.contexts = contexts
        self.verbose = False


def tls_context(cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert, key)
    return ctx


def write_atomically(path, text):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--other-cert")
    ap.add_argument("--other-key")
    ap.add_argument("--jwks", required=True)
    ap.add_argument("--issuer-path", default="")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--portfile", required=True)
    ap.add_argument("--pidfile")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    if args.issuer_path and (not args.issuer_path.startswith("/")
                             or args.issuer_path.endswith("/")):
        ap.error("--issuer-path must start with / and not end with /")

    contexts = {"main": tls_context(args.cert, args.key)}
    if args.other_cert and args.other_key:
        contexts["other"] = tls_context(args.other_cert, args.other_key)
    state = State(args.jwks)

    main_srv = TLSServer((BIND, args.port), IssuerHandler, state, contexts,
                         alt=False)
    # the other origin always presents the test CA's certificate
    alt_srv = TLSServer((BIND, 0), IssuerHandler, state,
                        {"main": contexts["main"]}, alt=True)
    ctl_srv = ControlServer((BIND, 0), ControlHandler, state, contexts)

    port = main_srv.server_address[1]
    base = "https://%s:%d" % (BIND, port)
    for srv in (main_srv, alt_srv):
        srv.verbose = args.verbose
        srv.issuer_path = args.issuer_path
        srv.base = base
        srv.issuer = base + args.issuer_path
        srv.alt_port = alt_srv.server_address[1]
    ctl_srv.verbose = args.verbose

    stop = threading.Event()

    def on_signal(signum, frame):
        del signum, frame
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    threads = [threading.Thread(target=s.serve_forever, daemon=True,
                                kwargs={"poll_interval": 0.1})
               for s in (main_srv, alt_srv, ctl_srv)]
    for t in threads:
        t.start()

    if args.pidfile:
        write_atomically(args.pidfile, "%d\n" % os.getpid())
    write_atomically(args.portfile, json.dumps({
        "port": port, "alt_port": alt_srv.server_address[1],
        "control_port": ctl_srv.server_address[1],
        "issuer": base + args.issuer_path}) + "\n")

    while not stop.wait(0.2):
        pass
    for s in (main_srv, alt_srv, ctl_srv):
        s.shutdown()
        s.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
