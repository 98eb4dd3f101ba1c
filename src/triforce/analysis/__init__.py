"""Tools that join the assembler and the emulator: running source, timing, lint, equivalence."""
