"""What a benchmark's results name as its machine: CPU, cores and versions."""

import os
import platform
from importlib.metadata import version
from pathlib import Path


def machine() -> str:
    """The CPU's model, the cores, and the Python, OR-Tools and kernel versions."""
    cpu = "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"OR-Tools {version('ortools')}, {platform.system()} {platform.release()}")
