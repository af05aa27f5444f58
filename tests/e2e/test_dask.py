"""Building on a Dask cluster (`--executor dask://...`) gives the same bytes as a local build.

One module-scoped `LocalCluster` (two worker processes, bound to 127.0.0.1; the scheduler's
HTTP server, which it starts even without a dashboard, on a free loopback port, not on 8787
where another cluster may be) serves every test. Each test checks the work really went to the
cluster (the scheduler counts the tasks of each kind) and compares whole output trees with a
local build of the same site.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import socket
import sys
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

from sitegen.build import BuildRequest, build  # noqa: E402
from sitegen.cli import main  # noqa: E402
from sitegen.config import load_config  # noqa: E402
from sitegen.engine import cluster as cluster_module  # noqa: E402
from sitegen.engine.executor import Parallelism  # noqa: E402
from sitegen.errors import SiteError  # noqa: E402
from sitegen.output.writer import MANIFEST  # noqa: E402
from tests.e2e import test_incremental as incremental  # noqa: E402
from tests.sample_site import write_sample_site  # noqa: E402

ARTICLES = 300
EPOCH = "1900000000"  # SOURCE_DATE_EPOCH: every sample article is in the past, feeds are stable
EVERYTHING_REMOTE = Parallelism(jobs=2, min_pages=1, min_loads=1)


def _tree(out: Path) -> dict[str, bytes]:
    """Every file of an output folder but the manifest (which records fingerprints, not bytes
    a reader sees); nothing else in the output holds a time stamp with SOURCE_DATE_EPOCH set."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.relative_to(out).as_posix() != MANIFEST
    }


def _hashes(folder: Path) -> dict[str, tuple[str, int]]:
    return {
        p.relative_to(folder).as_posix(): (
            hashlib.sha1(p.read_bytes()).hexdigest(),
            p.stat().st_ino,
        )
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        with (
            distributed.LocalCluster(
                n_workers=2,
                processes=True,
                threads_per_worker=1,
                dashboard_address="127.0.0.1:0",
                host="127.0.0.1",
                local_directory=str(tmp_path_factory.mktemp("dask-workers")),
            ) as cluster,
            distributed.Client(cluster, set_as_default=False) as client,
        ):
            yield cluster, client


@pytest.fixture(scope="module")
def sample(tmp_path_factory, dask_cluster) -> tuple[Path, dict[str, bytes]]:
    """A generated site and its local build (the reference every Dask build must equal)."""
    root = write_sample_site(tmp_path_factory.mktemp("sample") / "site", ARTICLES)
    build(BuildRequest(load_config(root), root / "local", jobs=2))
    shutil.rmtree(root / ".sitegen")
    return root, _tree(root / "local")


@pytest.fixture
def site(sample, tmp_path) -> Path:
    """A fresh copy of the sample site without output or caches."""
    root = tmp_path / "site"
    shutil.copytree(sample[0], root, ignore=shutil.ignore_patterns("local"))
    return root


def _tasks_done(client) -> dict[str, int]:
    """Tasks the scheduler has seen finish, by function name."""

    def count(dask_scheduler) -> dict[str, int]:
        return {
            name: prefix.state_counts.get("memory", 0)
            for name, prefix in dask_scheduler.task_prefixes.items()
        }

    return client.run_on_scheduler(count)


def _gained(before: dict[str, int], after: dict[str, int], name: str) -> int:
    return after.get(name, 0) - before.get(name, 0)


def test_cli_build_on_cluster_equals_local(dask_cluster, sample, site, capsys) -> None:
    cluster, client = dask_cluster
    before = _tasks_done(client)
    assert cluster.scheduler_address.startswith("tcp://")
    address = cluster.scheduler_address.replace("tcp://", "dask://")
    code = main(["build", "--site", str(site), "-o", str(site / "out"), "--executor", address])
    assert code == 0, capsys.readouterr()
    assert _gained(before, _tasks_done(client), "render_task") > 0  # pages went to the cluster
    assert _tree(site / "out") == sample[1]


def test_loading_and_rendering_on_cluster_equal_local(dask_cluster, sample, site) -> None:
    cluster, client = dask_cluster
    before = _tasks_done(client)
    request = BuildRequest(
        load_config(site),
        site / "out",
        parallel=EVERYTHING_REMOTE,
        executor=cluster.scheduler_address,
    )
    build(request)
    after = _tasks_done(client)
    assert _gained(before, after, "load_chunk") >= ARTICLES // 100  # chunks of 100 files
    assert _gained(before, after, "render_task") > 0
    assert _tree(site / "out") == sample[1]


class KillOnce(distributed.WorkerPlugin):
    """Ends its worker's process the moment it starts its `nth` render task, once per test
    (a marker file says it happened): the worker dies holding a task Dask must run again."""

    name = "sitegen-kill-once"

    def __init__(self, marker: str, nth: int = 2) -> None:
        self.marker = marker
        self.nth = nth
        self.started = 0

    def transition(self, key, start, finish, **kwargs) -> None:
        if finish != "executing" or not str(key).startswith("render_task"):
            return
        self.started += 1
        if self.started == self.nth and not os.path.exists(self.marker):
            Path(self.marker).write_text(str(os.getpid()))
            os._exit(1)


def test_worker_killed_mid_build_gives_same_output(dask_cluster, sample, site, tmp_path) -> None:
    import cloudpickle

    cluster, client = dask_cluster
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import tests
    marker = tmp_path / "killed"
    client.register_plugin(KillOnce(str(marker)))
    try:
        request = BuildRequest(
            load_config(site),
            site / "out",
            parallel=EVERYTHING_REMOTE,
            executor=cluster.scheduler_address,
        )
        build(request)
    finally:
        client.unregister_worker_plugin(KillOnce.name)
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    assert marker.exists(), "no worker was killed: the test proved nothing"
    assert _tree(site / "out") == sample[1]
    client.wait_for_workers(2, timeout=60)  # the nanny restarted it, for the tests that follow


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


@pytest.fixture
def quick_connect(monkeypatch) -> None:
    """Give up on a closed port after 2 s rather than 5 (Dask retries until the timeout)."""
    monkeypatch.setattr(cluster_module, "CONNECT_TIMEOUT", 2.0)


@pytest.mark.parametrize("stage", ["load", "render"])
def test_unreachable_cluster_is_an_error_and_output_untouched(
    site, stage: str, quick_connect
) -> None:
    out = site / "out"
    build(BuildRequest(load_config(site), out, jobs=2))
    (site / "content" / "story-0007.md").write_text(
        (site / "content" / "story-0007.md").read_text(encoding="utf-8") + "\nOne more line.\n",
        encoding="utf-8",
    )
    if stage == "render":  # every page changes: loading stays local, rendering needs the cluster
        (site / "site.yaml").write_text(
            (site / "site.yaml").read_text(encoding="utf-8") + "description: Changed.\n",
            encoding="utf-8",
        )
    before, beside = _hashes(out), sorted(os.listdir(site))
    address = f"tcp://127.0.0.1:{_closed_port()}"
    parallel = Parallelism(jobs=2, min_pages=1, min_loads=1 if stage == "load" else 10**9)
    with pytest.raises(SiteError) as caught:
        build(BuildRequest(load_config(site), out, parallel=parallel, executor=address))
    assert f"cannot reach the Dask scheduler at {address}" in caught.value.message
    assert _hashes(out) == before  # same bytes, same files (inodes): nothing rewritten
    assert sorted(os.listdir(site)) == beside  # no staging folder left behind


def test_cli_unreachable_cluster_exits_1_with_message(site, capsys, quick_connect) -> None:
    (site / "site.yaml").write_text(
        (site / "site.yaml").read_text(encoding="utf-8") + "description: Changed.\n",
        encoding="utf-8",
    )
    port = _closed_port()
    code = main(["build", "--site", str(site), "--executor", f"dask://127.0.0.1:{port}"])
    assert code == 1
    err = capsys.readouterr().err
    assert f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}" in err
    assert "Traceback" not in err
    assert not (site / "build").exists()


def test_cluster_without_workers_is_an_error(site, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(cluster_module, "NO_WORKERS_GRACE", 0.5)
    with (
        distributed.LocalCluster(
            n_workers=0, dashboard_address="127.0.0.1:0", host="127.0.0.1", protocol="tcp://"
        ) as empty,
        pytest.raises(SiteError) as caught,
    ):
        build(
            BuildRequest(
                load_config(site),
                site / "out",
                parallel=EVERYTHING_REMOTE,
                executor=empty.scheduler_address,
            )
        )
    assert empty.scheduler_address in caught.value.message
    assert "no worker" in caught.value.message
    assert not (site / "out").exists()


@pytest.mark.parametrize("features", ["plain", "search+related"])
@pytest.mark.parametrize("edit", ["body", "title", "tag added", "deleted", "template", "setting"])
def test_incremental_matrix_on_cluster(
    dask_cluster, tmp_path, monkeypatch, edit: str, features: str
) -> None:
    """The incremental matrix's own test, every stage on the cluster."""
    cluster, client = dask_cluster
    address = cluster.scheduler_address

    def request(self) -> BuildRequest:
        return BuildRequest(load_config(self.root), parallel=EVERYTHING_REMOTE, executor=address)

    monkeypatch.setattr(incremental.Site, "request", request)
    before = _tasks_done(client)
    incremental.test_incremental_equals_clean(tmp_path, edit, "dask", features)
    assert _gained(before, _tasks_done(client), "render_task") > 0


def test_raw_html_warnings_come_back_from_the_cluster(dask_cluster, site) -> None:
    """What was made right in an article's raw HTML is told for pages rendered on the cluster
    as for local ones: the same warning, at the same line, also when the body comes from the
    cache (an old article: no feed shows it, so only its own page, rendered on the cluster)."""
    cluster, _ = dask_cluster
    (site / "content" / "raw.md").write_text(
        "---\ntitle: Raw\ndate: 2000-01-01\n---\n\nHello <textarea>\n", encoding="utf-8"
    )
    request = BuildRequest(
        load_config(site),
        site / "out",
        parallel=EVERYTHING_REMOTE,
        executor=cluster.scheduler_address,
    )
    remote = build(request)
    said = [str(w) for w in remote.diagnostics.warnings if "<textarea>" in str(w)]
    assert said and said[0].startswith("content/raw.md:6: <textarea> is never closed")
    shutil.rmtree(site / "out")  # every page rendered again, the bodies from the cache
    again = build(dataclasses.replace(request, config=load_config(site)))
    assert [str(w) for w in again.diagnostics.warnings if "<textarea>" in str(w)] == said
    shutil.rmtree(site / ".sitegen")
    local = build(BuildRequest(load_config(site), site / "local-out"))
    assert [str(w) for w in local.diagnostics.warnings if "<textarea>" in str(w)] == said
