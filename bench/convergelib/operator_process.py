"""The real operator as a separate process (`aura-operator run`), so that its memory and CPU are
its own: started against the emulator through a kubeconfig, stopped with SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from aura_devtools.simulator.clock import SimClock

READY_LINE = "metrics on port"  # logged by the operator's startup handler
CLIENT_TICKS = os.sysconf("SC_CLK_TCK")


def write_kubeconfig(path: Path, server: str) -> None:
    """A kubeconfig for the emulator (plain HTTP, no real credentials)."""
    path.write_text(
        "apiVersion: v1\n"
        "kind: Config\n"
        "clusters:\n"
        f"- name: emulator\n  cluster:\n    server: {server}\n"
        "users:\n"
        "- name: bench\n  user:\n    token: bench\n"
        "contexts:\n"
        "- name: emulator\n  context:\n    cluster: emulator\n    user: bench\n"
        "    namespace: default\n"
        "current-context: emulator\n"
    )


@dataclass
class MemorySample:
    sim_time: float
    rss_mb: float


@dataclass
class ProcessFigures:
    """What one operator process used, read from /proc just before it was stopped."""

    pid: int
    peak_rss_mb: float
    final_rss_mb: float
    cpu_seconds: float
    real_seconds: float
    samples: list[MemorySample] = field(default_factory=list)


def _status_kb(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return float(line.split()[1])
    return 0.0


def _cpu_seconds(pid: int) -> float:
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLIENT_TICKS  # utime, stime


class OperatorProcess:
    """One `aura-operator run` process; its stderr (JSON log lines) goes to `log_path`."""

    def __init__(
        self, *, env: dict[str, str], log_path: Path, clock: SimClock, sample_every: float = 1.0
    ) -> None:
        self._env = env
        self.log_path = log_path
        self._clock = clock
        self._sample_every = sample_every
        self._process: asyncio.subprocess.Process | None = None
        self._sampler: asyncio.Task[None] | None = None
        self._samples: list[MemorySample] = []
        self._started = 0.0
        self.started_at_sim = 0.0

    @property
    def pid(self) -> int:
        if self._process is None:
            raise RuntimeError("the operator is not running")
        return self._process.pid

    async def start(self, *, ready_within: float = 60.0) -> None:
        """Spawn the operator and return once its startup handler has finished."""
        log = self.log_path.open("ab")
        self.started_at_sim = self._clock.now()
        self._started = time.monotonic()
        try:
            # `python -m aura_operator` is the `aura-operator` script; PYTHONPATH may point it at
            # a scratch copy of the package (--operator-src).
            self._process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "aura_operator",
                "run",
                "--no-liveness",
                env=self._env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        finally:
            log.close()
        self._sampler = asyncio.create_task(self._sample())
        await self._wait_ready(ready_within)

    async def _wait_ready(self, within: float) -> None:
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        deadline = time.monotonic() + within
        assert self._process is not None
        while time.monotonic() < deadline:
            if self._process.returncode is not None:
                raise RuntimeError(f"the operator exited early; see {self.log_path}")
            with self.log_path.open("rb") as handle:
                handle.seek(max(0, offset - 4096))
                if READY_LINE.encode() in handle.read():
                    return
            await asyncio.sleep(0.1)
        raise RuntimeError(f"the operator was not ready within {within} s; see {self.log_path}")

    async def _sample(self) -> None:
        while self._process is not None and self._process.returncode is None:
            try:
                rss = _status_kb(self._process.pid, "VmRSS") / 1024
            except OSError:
                return
            self._samples.append(MemorySample(self._clock.now(), rss))
            await asyncio.sleep(self._sample_every)

    def figures(self) -> ProcessFigures:
        """Memory and CPU so far (the process must still be running)."""
        pid = self.pid
        return ProcessFigures(
            pid=pid,
            peak_rss_mb=_status_kb(pid, "VmHWM") / 1024,
            final_rss_mb=_status_kb(pid, "VmRSS") / 1024,
            cpu_seconds=_cpu_seconds(pid),
            real_seconds=time.monotonic() - self._started,
            samples=list(self._samples),
        )

    async def stop(self, *, within: float = 30.0) -> ProcessFigures:
        """SIGTERM (kopf's graceful stop), SIGKILL after `within` s; returns its figures."""
        figures = self.figures()
        process, self._process = self._process, None
        assert process is not None
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), within)
            except TimeoutError:
                process.kill()
                await process.wait()
        if self._sampler is not None:
            self._sampler.cancel()
            await asyncio.gather(self._sampler, return_exceptions=True)
        self._samples = []
        return figures
