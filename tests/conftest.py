import http.server
import os
import threading

import numpy as np
import pytest

from midecay.extras import EXTRA_OF

# Figures into files, never windows; set before matplotlib (an extra) is first imported, if it is.
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path):
    """A file server on 127.0.0.1 over tmp_path/www: (root folder, base URL)."""
    root = tmp_path / "www"
    root.mkdir()
    handler = lambda *a, **k: _QuietHandler(*a, directory=str(root), **k)  # noqa: E731
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


#: Every optional package (the extras' table, and pandas, which only tests use): a "core-only install" is this
#: environment with all of them hidden.
EXTRA_PACKAGES = (*EXTRA_OF, "pandas")


@pytest.fixture
def core_only_env(tmp_path):
    """Environment variables for a subprocess that sees no extra (a meta-path finder refuses them): a core-only
    install without building a second virtual environment."""
    hide = tmp_path / "hide"
    hide.mkdir()
    (hide / "sitecustomize.py").write_text(
        "import sys\n"
        f"HIDDEN = {EXTRA_PACKAGES!r}\n"
        "class Hide:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in HIDDEN:\n"
        "            raise ModuleNotFoundError(f'No module named {name!r} (hidden)', name=name)\n"
        "        return None\n"
        "sys.meta_path.insert(0, Hide())\n"
    )
    return {**os.environ, "PYTHONPATH": str(hide), "OMP_WAIT_POLICY": "PASSIVE"}
