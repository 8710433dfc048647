"""Real servers on loopback for the robots' tests: SMTP (aiosmtpd), IMAP (Debian's Dovecot), a webhook receiver."""

from __future__ import annotations

import http.server
import ipaddress
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from email.policy import default as default_policy
from pathlib import Path

from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from .helpers import free_port

DOVECOT = "/usr/sbin/dovecot"


class SmtpServer:
    """STARTTLS required, like a real relay; collects every message it accepts; ``refuse`` answers 451."""

    def __init__(self, tls_folder: Path) -> None:
        self.messages: list[Message] = []
        self.refuse = 0
        outer = self
        self.ca, cert, key = _tls_material(tls_folder)
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(cert, key)

        class Handler:
            async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
                if outer.refuse:
                    outer.refuse -= 1
                    return "451 Serveur occupé, réessayez"
                outer.messages.append(message_from_bytes(envelope.content, policy=default_policy))  # type: ignore[attr-defined]
                return "250 OK"

        self.port = free_port()
        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, tls_context=tls,
                                      require_starttls=True)

    def start(self) -> SmtpServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()


class WebhookReceiver:
    def __init__(self) -> None:
        self.calls: list[tuple[dict[str, str], bytes]] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.calls.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/crochet"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _tls_material(folder: Path) -> tuple[Path, Path, Path]:
    """A test CA and a certificate for 127.0.0.1, so that the client checks the server for real."""
    now = datetime.now(UTC)
    ca_key, key = (rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(2))
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "AC de TEST messagerie")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
          .not_valid_after(now + timedelta(days=30)).add_extension(x509.BasicConstraints(ca=True, path_length=None),
                                                                   critical=True).sign(ca_key, hashes.SHA256()))
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                           serialization.NoEncryption()))
    os.chmod(paths[2], 0o600)
    return paths


class DovecotServer:
    """Dovecot in a private folder: IMAPS and IMAP+STARTTLS on loopback, one user, maildir storage."""

    user, password = "courrier", "secret-de-test"

    def __init__(self) -> None:
        # Its own folder, traversable: Dovecot's mail processes never run as root, so under root they
        # run as the "dovecot" user, which must reach the mail store (pytest's folders are 0700).
        folder = Path(tempfile.mkdtemp(prefix="ged-dovecot-"))
        os.chmod(folder, 0o755)
        self.folder = folder
        self.ca, cert, key = _tls_material(folder)
        self.imaps_port, self.imap_port = free_port(), free_port()
        (folder / "users").write_text(f"{self.user}:{{PLAIN}}{self.password}::::::\n")
        (folder / "home").mkdir()
        uid, gid = os.getuid(), os.getgid()
        if uid == 0:
            uid, gid = pwd.getpwnam("dovecot").pw_uid, pwd.getpwnam("dovecot").pw_gid
            os.chown(folder / "home", uid, gid)
        self.config = folder / "dovecot.conf"
        self.config.write_text(f"""
base_dir = {folder}/run
state_dir = {folder}/state
log_path = {folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 0
mail_location = maildir:{folder}/home/%u/Maildir
default_internal_user = {"dovecot" if os.getuid() == 0 else os.environ.get("USER", "nobody")}
default_login_user = {"dovenull" if os.getuid() == 0 else os.environ.get("USER", "nobody")}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {folder}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={folder}/home/%u
}}
{_as_root_services() if os.getuid() == 0 else ""}
service imap-login {{
  inet_listener imap {{
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    port = {self.imaps_port}
    ssl = yes
  }}
}}
""")
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> DovecotServer:
        self._process = subprocess.Popen([DOVECOT, "-F", "-c", str(self.config)], stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.imaps_port), timeout=1):
                    return self
            except OSError:
                if self._process.poll() is not None:
                    break
                time.sleep(0.2)
        log = (self.folder / "dovecot.log").read_text() if (self.folder / "dovecot.log").exists() else ""
        raise RuntimeError(f"Dovecot n'a pas démarré : {log[-2000:]}")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=20)
        shutil.rmtree(self.folder, ignore_errors=True)


def _as_root_services() -> str:
    """Under root, the auth processes may read the test's private folder (pytest makes it 0700)."""
    return "service auth {\n  user = root\n}\nservice auth-worker {\n  user = root\n}\n"


def dovecot_available() -> bool:
    return shutil.which(DOVECOT) is not None or Path(DOVECOT).exists()
