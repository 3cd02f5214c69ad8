"""A private CUPS scheduler for the tests, with a cups-pdf queue: real `lp`, real filters, a real PDF out.

Each test session runs its own cupsd on a socket in a temporary folder (clients find it through
`CUPS_SERVER`), so concurrent test runs and the machine's own CUPS never meet. The cups-pdf backend
only runs as root and writes where /etc/cups/cups-pdf.conf says (`Out ${HOME}/PDF`).
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

CUPS_PDF_MODEL = "lsb/usr/cups-pdf/CUPS-PDF_opt.ppd"

CUPSD_CONF = """\
Listen {root}/cups.sock
LogLevel info
WebInterface No
Browsing Off
DefaultShared No
PreserveJobHistory Yes
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
"""

CUPS_FILES_CONF = """\
ServerRoot {root}
RequestRoot {root}/spool
TempDir {root}/tmp
CacheDir {root}/cache
StateDir {root}/state
ServerBin /usr/lib/cups
DataDir /usr/share/cups
ErrorLog {root}/error_log
AccessLog {root}/access_log
PageLog {root}/page_log
Printcap {root}/printcap
FileDevice Yes
Sandboxing Relaxed
SystemGroup root
"""


def cups_pdf_output_folder() -> Path:
    """Where cups-pdf writes a root-owned job, from /etc/cups/cups-pdf.conf (default `${HOME}/PDF`)."""
    out = "${HOME}/PDF"
    conf = Path("/etc/cups/cups-pdf.conf")
    if conf.exists():
        for line in conf.read_text(encoding="utf-8", errors="replace").splitlines():
            if re.match(r"\s*Out\s+", line):
                out = line.split(None, 1)[1].strip()
    return Path(out.replace("${HOME}", pwd.getpwuid(os.getuid()).pw_dir))


def missing_requirements() -> str | None:
    if os.geteuid() != 0:
        return "the cups-pdf backend only runs under a root cupsd"
    for tool in ("cupsd", "lp", "lpadmin", "lpoptions", "lpstat"):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            return f"CUPS is not installed (no {tool}): run scripts/setup"
    if not Path("/usr/lib/cups/backend/cups-pdf").exists():
        return "printer-driver-cups-pdf is not installed: run scripts/setup"
    return None


class PrivateCups:
    def __init__(self, root: Path) -> None:
        self.root = root
        path = os.environ.get("PATH", "/usr/bin:/bin")
        self.env = {**os.environ, "CUPS_SERVER": str(root / "cups.sock"), "LANG": "C", "LC_ALL": "C",
                    "PATH": f"{path}:/usr/sbin:/sbin"}  # lpadmin, cupsenable & co. live in sbin
        self.process: subprocess.Popen | None = None
        self.output = cups_pdf_output_folder()

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(list(args), env=self.env, capture_output=True, text=True, timeout=30, check=check)

    def start(self) -> PrivateCups:
        for sub in ("spool", "cache", "state"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        (self.root / "tmp").mkdir(exist_ok=True)
        (self.root / "tmp").chmod(0o1777)  # filters run as the `lp` user and write here
        (self.root / "spool").chmod(0o710)
        (self.root / "cupsd.conf").write_text(CUPSD_CONF.format(root=self.root))
        (self.root / "cups-files.conf").write_text(CUPS_FILES_CONF.format(root=self.root))
        cupsd = shutil.which("cupsd") or "/usr/sbin/cupsd"
        self.process = subprocess.Popen(
            [cupsd, "-f", "-c", str(self.root / "cupsd.conf"), "-s", str(self.root / "cups-files.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=self.env,
        )
        deadline = time.monotonic() + 20
        while "scheduler is running" not in self.run("lpstat", "-r", check=False).stdout:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"private cupsd did not start; see {self.root / 'error_log'}")
            time.sleep(0.1)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def add_pdf_queue(self, name: str) -> str:
        self.run("lpadmin", "-p", name, "-E", "-v", "cups-pdf:/", "-m", CUPS_PDF_MODEL)
        return name

    def remove_queue(self, name: str) -> None:
        self.run("cancel", "-a", name, check=False)
        self.run("lpadmin", "-x", name, check=False)

    def jobs_not_completed(self, queue: str) -> list[str]:
        out = self.run("lpstat", "-W", "not-completed", "-o", queue, check=False).stdout
        return [line.split()[0] for line in out.splitlines() if line.strip()]

    def find_output(self, reference: str, job_id: str, timeout: float = 15) -> Path:
        """The PDF cups-pdf wrote for one job: its name carries the title (with the reference) and job id."""
        number = job_id.rsplit("-", 1)[-1]
        queue = job_id.rsplit("-", 1)[0]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            completed = self.run("lpstat", "-W", "completed", "-o", queue, check=False).stdout.split()
            if job_id in completed:  # cups-pdf has finished writing when CUPS calls the job completed
                for path in self.output.glob(f"*{reference}*-job_{number}.pdf"):
                    return path
            time.sleep(0.05)
        raise AssertionError(f"cups-pdf wrote no PDF for {reference} job {job_id} in {self.output}")


def private_cups(root: Path) -> Iterator[PrivateCups]:
    server = PrivateCups(root).start()
    try:
        yield server
    finally:
        server.stop()
