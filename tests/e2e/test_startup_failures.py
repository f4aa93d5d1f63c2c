"""Every way a start can fail ends the process cleanly: a message naming the cause on
stderr and exit code 1 (2 for a bad command line), never a signal (a crash while stopping
what was already started showed up as SIGBUS, exit 135) and never a hang."""
import os
import socket
import subprocess
import tempfile
import unittest

from harness import BINARY


def run(*args, cwd=None):
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=20, cwd=cwd)


class StartupFailureTest(unittest.TestCase):
    def assertCleanFailure(self, out, code, message):
        # A negative code is a signal as Python reports it; 128+ is one as a shell does.
        self.assertEqual(out.returncode, code, out.stderr)
        self.assertIn(message, out.stderr)

    def test_port_already_taken(self):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = str(taken.getsockname()[1])
            with tempfile.TemporaryDirectory() as d:
                # Every service is started before the bind fails: each must stop again.
                for args in (["--data-dir", d], ["--in-memory"],
                             ["--in-memory", "--poll-interval-ms", "0"]):
                    for _ in range(3):
                        out = run("--port", port, *args)
                        self.assertCleanFailure(out, 1, f"cannot bind 127.0.0.1:{port}")

    def test_data_dir_cannot_be_created(self):
        with tempfile.TemporaryDirectory() as d:
            blocker = os.path.join(d, "a-file")
            open(blocker, "w").close()
            out = run("--port", "0", "--data-dir", os.path.join(blocker, "data"))
            self.assertCleanFailure(out, 1, "cannot create data directory")

    def test_data_dir_is_a_file(self):
        with tempfile.NamedTemporaryFile() as f:
            out = run("--port", "0", "--data-dir", f.name)
            self.assertCleanFailure(out, 1, "cannot start")

    def test_database_file_is_not_a_database(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "streamstack.db"), "wb") as f:
                f.write(b"this is not an SQLite database, just 64 bytes of text......\n" * 4)
            out = run("--port", "0", "--data-dir", d)
            self.assertCleanFailure(out, 1, "cannot start")

    def test_host_that_is_not_an_address(self):
        out = run("--port", "0", "--in-memory", "--host", "not-an-address")
        self.assertCleanFailure(out, 1, "cannot start")

    def test_unparseable_config_file(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
            f.write("{not json")
            f.flush()
            out = run("--config", f.name, "--in-memory", "--port", "0")
            self.assertCleanFailure(out, 2, "config file is not a JSON object")

    def test_missing_config_file(self):
        out = run("--config", "/nonexistent/streamstack.json", "--in-memory", "--port", "0")
        self.assertCleanFailure(out, 2, "/nonexistent/streamstack.json")

    def test_bad_flag_value(self):
        out = run("--port", "http", "--in-memory")
        self.assertCleanFailure(out, 2, "--port")


if __name__ == "__main__":
    unittest.main()
