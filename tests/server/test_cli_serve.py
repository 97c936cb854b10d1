"""``cubegraph serve`` in a subprocess: starts on the given port, serves, stops on SIGINT."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

# The lead wires serve_commands into cubegraph.api.cli; importing it here keeps this test
# independent of that line.
RUN = ("import cubegraph.api.cli.serve_commands; from cubegraph.api.cli import main; "
       "main(prog_name='cubegraph')")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_command_serves_until_interrupted(tmp_path):
    port = free_port()
    env = {**os.environ, "CUBEGRAPH_TOKEN": "cli-token", "CUBEGRAPH_BASE_IRI": "http://cli.example/"}
    env.pop("CUBEGRAPH_STORE", None)
    proc = subprocess.Popen(
        [sys.executable, "-c", RUN, "--store", str(tmp_path / "store"), "serve",
         "--port", str(port), "--workers", "1"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "sparql?query=ASK%7B%7D", timeout=5).read()
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        req = urllib.request.Request(url + "update", method="POST",
                                     data=b"INSERT DATA { <http://cli.example/cube/c> a <http://x/T> }",
                                     headers={"Content-Type": "application/sparql-update",
                                              "Authorization": "Bearer cli-token"})
        assert urllib.request.urlopen(req, timeout=30).status == 204
        page = urllib.request.urlopen(urllib.request.Request(
            url + "cube/c", headers={"Accept": "text/turtle"}), timeout=30).read()
        assert b"<http://cli.example/cube/c>" in page
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
    assert proc.returncode == 0, err
    assert f"127.0.0.1:{port}" in err
    # Stopped cleanly: the store's lock is free again and the write is on disk.
    from cubegraph.kg import open_store

    store = open_store(tmp_path / "store", base_iri="http://cli.example/")
    try:
        assert store.count() == 1
    finally:
        store.close()


def _serve(tmp_path, port: int) -> subprocess.Popen:
    env = {**os.environ, "CUBEGRAPH_TOKEN": "cli-token"}
    env.pop("CUBEGRAPH_STORE", None)
    return subprocess.Popen(
        [sys.executable, "-c", RUN, "--store", str(tmp_path / "store"), "serve",
         "--port", str(port), "--workers", "1"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_busy_port_is_refused_with_a_clear_message(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        proc = _serve(tmp_path, taken.getsockname()[1])
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert "is already in use" in err and "--port" in err and "Traceback" not in err


def test_a_store_held_by_another_process_is_refused_with_a_clear_message(tmp_path):
    from cubegraph.kg import open_store

    holder = open_store(tmp_path / "store")  # holds the store's write lock
    try:
        proc = _serve(tmp_path, free_port())
        _, err = proc.communicate(timeout=60)
    finally:
        holder.close()
    assert proc.returncode != 0
    assert "is in use by another process" in err and "Traceback" not in err


def test_ctrl_c_in_a_terminal_stops_the_server_and_its_workers_cleanly(tmp_path):
    """A terminal's Ctrl-C reaches the whole process group, query workers included: they
    died of it with tracebacks, and the server could hang on its way out. Now the server
    alone stops them, leaving no note and no snapshot beside the store."""
    port = free_port()
    env = {**os.environ, "CUBEGRAPH_TOKEN": "cli-token"}
    env.pop("CUBEGRAPH_STORE", None)
    proc = subprocess.Popen(
        [sys.executable, "-c", RUN, "--store", str(tmp_path / "store"), "serve",
         "--port", str(port), "--workers", "2"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True)  # its own process group, as a shell gives a job
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/sparql?query=ASK%7B%7D",
                                       timeout=5).read()
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        assert (tmp_path / ".store.served.json").exists()
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            _, err = proc.communicate()
            raise AssertionError(f"Ctrl-C did not stop the server: {err}")
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert not (tmp_path / ".store.served.json").exists()
    assert not (tmp_path / ".store.snapshots").exists()


def test_the_demo_s_waitress_server_is_found_by_the_command_line_too(tmp_path):
    """`cubegraph demo` serves with waitress (api/web/serve.serve), not granian: it leaves
    the same note, so a command on the folder goes through it rather than failing on the
    lock."""
    port = free_port()
    store = tmp_path / "store"
    code = ("from cubegraph.api.web.app import create_app; "
            "from cubegraph.api.web.serve import serve; "
            f"serve(create_app({{'STORE': {str(store)!r}, 'QUERY_WORKERS': 1}}), port={port})")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUBEGRAPH_")}
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / ".store.served.json").exists():
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline, "no note beside the store"
            time.sleep(0.2)
        cli = subprocess.run([str(Path(sys.executable).with_name("cubegraph")), "--store",
                              str(store), "stats"], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=120)
        assert cli.returncode == 0, cli.stderr
        assert f"served by 'cubegraph serve' at http://127.0.0.1:{port}/" in cli.stderr
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    assert not (tmp_path / ".store.served.json").exists()


def test_a_port_whose_last_server_just_stopped_is_free_again():
    """A server that stopped leaves its closed connections in TIME_WAIT for a minute: a
    restart on the same port must not be refused as 'already in use'."""
    from cubegraph.api.web.serve import check_port_free

    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        client = socket.create_connection(("127.0.0.1", port))
        conn, _ = server.accept()
        conn.close()  # the server closes first: its side of the connection waits
        client.close()
    # /proc/net/tcp: local address (hex ip:port), remote, state (06: TIME_WAIT)
    rows = [line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:]]
    assert any(r[1].endswith(f":{port:04X}") and r[3] == "06" for r in rows)
    check_port_free("127.0.0.1", port)  # no error
    with socket.socket() as again:  # and a server can indeed listen there
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))
        again.listen()


def test_large_headers_reach_the_app_and_a_long_query_is_posted(tmp_path):
    """granian answered headers past ~417 KB with an empty 431; they now reach the app up to
    the header limit (as under waitress). A URL past 64 KB is refused by hyper under
    granian (414, no body, not configurable): the same query POSTed is answered."""
    import http.client
    import urllib.parse

    port = free_port()
    proc = _serve(tmp_path, port)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/sparql?query=ASK%7B%7D", timeout=5).read()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/sparql?query=ASK%7B%7D", headers={"X-Big": "a" * 600_000,
                                                                "Accept": "application/sparql-results+json"})
        reply = conn.getresponse()
        assert reply.status == 200 and reply.read() == b'{"head":{},"boolean":true}'
        long_query = "ASK { VALUES ?x { " + " ".join(f'"{i}"' for i in range(12_000)) + " } }"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/sparql?" + urllib.parse.urlencode({"query": long_query}))
        too_long = conn.getresponse()
        too_long.read()
        assert too_long.status == 414
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("POST", "/sparql", body=long_query.encode(), headers={
            "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
        posted = conn.getresponse()
        assert posted.status == 200 and posted.read() == b'{"head":{},"boolean":true}'
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
