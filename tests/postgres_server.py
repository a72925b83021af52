"""A throwaway PostgreSQL server for the store tests and bench/store.py: `initdb` in a
temporary folder, started on a free port on 127.0.0.1 (TCP only, password login), once
per process, stopped at exit.

    server = PostgresServer.start()            # or shared_server() for one per process
    url = server.new_schema_url()              # a fresh, empty schema: one per test
    url = server.new_database_url()            # a fresh database (slower)

Root cannot run postgres: as root the server runs as the `postgres` user (Debian's
package creates it). A watchdog process stops the server and removes its folder when
this process ends, however it ends (even kill -9).
"""

from __future__ import annotations

import atexit
import glob
import itertools
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REQUIRE_ENV_VAR = "STAGESTUDIO_REQUIRE_POSTGRES"
BIN_ENV_VAR = "STAGESTUDIO_POSTGRES_BIN"  # a folder holding initdb and postgres
SUPERUSER = "stagestudio"
START_TIMEOUT_S = 30.0

_WATCHDOG = """
import os, shutil, signal, sys, time
pid, folder = int(sys.argv[1]), sys.argv[2]
sys.stdin.buffer.read()  # EOF: the process that started the server is done or gone
try:
    os.kill(pid, signal.SIGINT)  # fast shutdown: ends the sessions, then stops
except ProcessLookupError:
    pass
for _ in range(200):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        break
    try:
        if os.waitpid(pid, os.WNOHANG)[0]:
            break
    except ChildProcessError:
        pass
    time.sleep(0.05)
else:
    os.kill(pid, signal.SIGKILL)
shutil.rmtree(folder, ignore_errors=True)
"""


class PostgresUnavailable(RuntimeError):
    """The server binaries are not installed here."""


def postgres_required() -> bool:
    """In CI (or when asked) the PostgreSQL tests must run: a missing server fails them."""
    return os.environ.get(REQUIRE_ENV_VAR, "") not in ("", "0") or os.environ.get("CI", "") not in ("", "0", "false")


def find_binaries() -> Path | None:
    """The folder with `initdb` and `postgres`: $STAGESTUDIO_POSTGRES_BIN, Debian's
    /usr/lib/postgresql/<newest>/bin, or the PATH."""
    candidates = [os.environ.get(BIN_ENV_VAR, "")]
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    found = shutil.which("initdb")
    candidates.append(str(Path(found).parent) if found else "")
    for folder in candidates:
        if folder and (Path(folder) / "initdb").is_file() and (Path(folder) / "postgres").is_file():
            return Path(folder)
    return None


def _version_key(path: str) -> tuple[int, ...]:
    version = Path(path).parent.name
    return tuple(int(p) for p in version.split(".") if p.isdigit())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PostgresServer:
    port: int
    password: str
    folder: Path
    process: subprocess.Popen
    watchdog: subprocess.Popen
    _names: itertools.count = field(default_factory=lambda: itertools.count(1))
    _databases: set[str] = field(default_factory=set)

    @classmethod
    def start(cls, *, fsync: bool = False) -> "PostgresServer":
        """initdb + start. `fsync=False` (tests) skips the disk syncs a benchmark must pay."""
        bin_dir = find_binaries()
        if bin_dir is None:
            raise PostgresUnavailable(
                "PostgreSQL server binaries not found (no initdb/postgres under /usr/lib/postgresql/*/bin, "
                f"${BIN_ENV_VAR} or the PATH; Debian: apt-get install postgresql)"
            )
        run_as = _unprivileged_user()
        # Under /tmp when the server runs as another user: $TMPDIR may be private to us.
        folder = Path(tempfile.mkdtemp(prefix="stagestudio-pg-", dir="/tmp" if run_as and os.path.isdir("/tmp") else None))
        password = secrets.token_hex(12)
        (folder / "pw").write_text(password + "\n")
        if run_as is not None:
            shutil.chown(folder, user=run_as)
            shutil.chown(folder / "pw", user=run_as)
        data = folder / "data"
        init = subprocess.run(
            [str(bin_dir / "initdb"), "-D", str(data), "-U", SUPERUSER, f"--pwfile={folder / 'pw'}",
             "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-sync"],
            user=run_as, capture_output=True, text=True,
        )
        (folder / "pw").unlink()
        if init.returncode != 0:
            shutil.rmtree(folder, ignore_errors=True)
            raise RuntimeError(f"initdb failed: {(init.stderr or init.stdout).strip()[-2000:]}")
        last_error = ""
        for _ in range(3):  # a port taken between choosing and binding: choose again
            port = _free_port()
            log = open(folder / "server.log", "ab")
            settings = {
                "listen_addresses": "127.0.0.1", "unix_socket_directories": "", "max_connections": "200",
                "fsync": "on" if fsync else "off", "full_page_writes": "on" if fsync else "off",
            }
            args = [str(bin_dir / "postgres"), "-D", str(data), "-p", str(port)]
            for name, value in settings.items():
                args += ["-c", f"{name}={value}"]
            process = subprocess.Popen(args, user=run_as, stdout=log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
            log.close()
            try:
                _wait_ready(process, f"host=127.0.0.1 port={port} user={SUPERUSER} password={password} dbname=postgres",
                            folder)
            except RuntimeError as exc:
                last_error = str(exc)
                process.kill()
                process.wait()
                continue
            watchdog = subprocess.Popen([sys.executable, "-c", _WATCHDOG, str(process.pid), str(folder)],
                                        stdin=subprocess.PIPE, start_new_session=True)
            server = cls(port, password, folder, process, watchdog)
            atexit.register(server.stop)
            return server
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(last_error)

    def stop(self) -> None:
        """Stop the server and remove its folder (the watchdog does both)."""
        if self.watchdog.stdin is not None and not self.watchdog.stdin.closed:
            self.watchdog.stdin.close()
        try:
            self.watchdog.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass

    # --- databases ------------------------------------------------------------------------
    def conninfo(self, database: str) -> str:
        return f"host=127.0.0.1 port={self.port} user={SUPERUSER} password={self.password} dbname={database}"

    def url(self, database: str, *, user: str = SUPERUSER, password: str | None = None, schema: str | None = None) -> str:
        secret = self.password if password is None else password
        url = f"postgresql+psycopg://{user}:{secret}@127.0.0.1:{self.port}/{database}"
        if schema is not None:
            url += f"?options=-csearch_path%3D{schema}"
        return url

    def execute(self, database: str, *statements: str) -> None:
        import psycopg

        with psycopg.connect(self.conninfo(database), autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)

    def new_database_url(self) -> str:
        name = f"db_{os.getpid()}_{next(self._names)}"
        self.execute("postgres", f'CREATE DATABASE "{name}"')
        return self.url(name)

    def new_schema_url(self, database: str = "stores") -> str:
        """A fresh empty schema in `database` (created on first use, with amcheck)."""
        if database not in self._databases:
            self.execute("postgres", f'CREATE DATABASE "{database}"')
            self.execute(database, "CREATE EXTENSION IF NOT EXISTS amcheck")
            self._databases.add(database)
        name = f"s_{os.getpid()}_{next(self._names)}"
        self.execute(database, f'CREATE SCHEMA "{name}"')
        return self.url(database, schema=name)


def _wait_ready(process: subprocess.Popen, conninfo: str, folder: Path) -> None:
    import psycopg

    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the PostgreSQL server exited at start:\n{_log_tail(folder)}")
        try:
            psycopg.connect(conninfo, connect_timeout=2).close()
            return
        except psycopg.OperationalError as exc:
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"the PostgreSQL server did not answer within {START_TIMEOUT_S:.0f} s ({exc}):\n{_log_tail(folder)}"
                ) from None
            time.sleep(0.05)


def _log_tail(folder: Path, lines: int = 20) -> str:
    try:
        return "\n".join((folder / "server.log").read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


def _unprivileged_user() -> str | None:
    """Whom to run the server as: ourselves, or `postgres` (else `nobody`) as root."""
    if os.geteuid() != 0:
        return None
    import pwd

    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise RuntimeError("running as root and no `postgres` or `nobody` user exists to run the server as")


_shared: PostgresServer | None = None
_shared_error: BaseException | None = None


def shared_server() -> PostgresServer:
    """One server per process, started on first use (a failure is remembered, not retried)."""
    global _shared, _shared_error
    if _shared is None and _shared_error is None:
        try:
            _shared = PostgresServer.start()
        except BaseException as exc:
            _shared_error = exc
    if _shared_error is not None:
        raise _shared_error
    assert _shared is not None
    return _shared

