"""The 65C816 emulator: CPU, buses and run controls."""

from triforce.cpu.bus import FlatMemory, WatchedBus
from triforce.cpu.core import CPU, EmulatorError, RunResult, StepLimitExceeded

__all__ = ["CPU", "EmulatorError", "FlatMemory", "RunResult", "StepLimitExceeded", "WatchedBus"]
