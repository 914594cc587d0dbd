"""Shared by the signing tests: test certificates, a unit configured to sign, and a fake signing service."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, utils
from cryptography.hazmat.primitives.serialization import pkcs12

from webapp.core.signing import TestCertificate, unit_key

HOLDER = "Siti Aminah Pemohon"  # the permit holder of the signing and verification tests

PASSWORD = "sandi-uji"


def configure(app, monkeypatch, unit, cert: TestCertificate) -> None:
    """Make ``unit`` sign with ``cert`` and trust its root, for one test."""
    key = unit_key(unit.slug)
    monkeypatch.setitem(app.config, f"SIGNING_P12_{key}", str(cert.p12_path))
    monkeypatch.setitem(app.config, f"SIGNING_P12_PASSWORD_{key}", cert.password)
    monkeypatch.setitem(app.config, f"SIGNING_TRUST_{key}", str(cert.root_path))


class FakeSigningService:
    """A signing service on loopback: it holds the key, receives a digest, answers a raw RSA signature."""

    def __init__(self, cert: TestCertificate, token: str = "token-uji") -> None:
        key, signer_cert, extra = pkcs12.load_key_and_certificates(cert.p12_path.read_bytes(), cert.password.encode())
        self.requests: list[dict] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                service.requests.append({"body": body, "auth": self.headers.get("Authorization")})
                if self.headers.get("Authorization") != f"Bearer {token}":
                    self.send_response(401)
                    self.end_headers()
                    return
                digest = base64.b64decode(body["digest"])
                signature = key.sign(digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
                answer = json.dumps({"signature": base64.b64encode(signature).decode()}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sign"
        from cryptography.hazmat.primitives.serialization import Encoding

        self.chain_pem = b"".join(c.public_bytes(Encoding.PEM) for c in [signer_cert, *extra])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeSigningService:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def write(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` and return it."""
    path.write_bytes(data)
    return path


class FakeTimestampServer:
    """An RFC 3161 timestamp server on loopback (pyHanko's DummyTimeStamper behind http.server)."""

    def __init__(self) -> None:
        from datetime import UTC, datetime, timedelta

        from asn1crypto import keys, tsp
        from asn1crypto import x509 as ax509
        from cryptography import x509
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
        from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "TSA UJI COBA")])
        now = datetime.now(UTC)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
                .not_valid_after(now + timedelta(days=30))
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
                .sign(key, hashes.SHA256()))
        self.cert = ax509.Certificate.load(cert.public_bytes(Encoding.DER))
        stamper = DummyTimeStamper(self.cert, keys.PrivateKeyInfo.load(
            key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())))
        self.requests = 0
        server_self = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                server_self.requests += 1
                request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
                answer = stamper.request_tsa_response(request).dump()
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/tsa"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeTimestampServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def off_loop(work):
    """Run ``work`` (pyHanko's sync API) in a thread of its own: the browser tests keep an event loop running."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()
