"""Interrupts, RTI, WAI, STP and RESET of the 65C816, checked against the datasheet.

Native mode pushes PBR, PCH, PCL, P (8 cycles); emulation mode pushes PCH, PCL, P
(7 cycles) with the B bit (bit 4) set for BRK and COP and clear for IRQ/NMI/ABORT.
Every interrupt sets I, clears D and loads PBR=0 and PC from its vector.
"""

from __future__ import annotations

import pytest

from triforce.cpu import CPU, FlatMemory

# vector -> handler address (distinct, so the vector used can be told apart)
NATIVE_VECTORS = {"cop": 0xFFE4, "brk": 0xFFE6, "abort": 0xFFE8, "nmi": 0xFFEA, "irq": 0xFFEE}
EMU_VECTORS = {"cop": 0xFFF4, "abort": 0xFFF8, "nmi": 0xFFFA, "reset": 0xFFFC, "irq": 0xFFFE,
               "brk": 0xFFFE}
HANDLERS = {
    0xFFE4: 0xA000, 0xFFE6: 0xA100, 0xFFE8: 0xA200, 0xFFEA: 0xA300, 0xFFEE: 0xA400,
    0xFFF4: 0xB000, 0xFFF8: 0xB200, 0xFFFA: 0xB300, 0xFFFC: 0xB800, 0xFFFE: 0xB400,
}
RTI = 0x40


def machine(code: bytes = b"", at: int = 0x008000) -> tuple[FlatMemory, CPU]:
    """Flat memory with every vector pointing at its own handler, each handler an RTI."""
    mem = FlatMemory()
    for vec, handler in HANDLERS.items():
        mem.load(vec, handler.to_bytes(2, "little"))
        mem.mem[handler] = RTI
    mem.load(at, code)
    cpu = CPU(mem)
    return mem, cpu


def trigger(cpu: CPU, kind: str) -> None:
    if kind == "nmi":
        cpu.nmi()
    elif kind == "irq":
        cpu.irq(True)
    elif kind == "abort":
        cpu.abort()
    # brk and cop are the instructions at PC


# code at the interrupted PC: BRK #$12 / COP #$34; a NOP for the others
CODE = {"brk": bytes([0x00, 0x12]), "cop": bytes([0x02, 0x34])}


@pytest.mark.parametrize("kind", ["nmi", "irq", "abort", "brk", "cop"])
def test_native_interrupt_and_rti(kind):
    mem, cpu = machine(CODE.get(kind, b"\xea"), at=0x123456)
    # native, 16-bit A and index, D and C set, I clear
    cpu.set_registers(e=0, pbr=0x12, pc=0x3456, p=0x09, s=0x1FF0, dbr=0x7F, d=0x0300,
                      a=0x1111, x=0x2222, y=0x3333)
    trigger(cpu, kind)
    assert cpu.step() == 8
    ret = 0x3458 if kind in ("brk", "cop") else 0x3456  # BRK/COP skip their signature byte
    assert mem.mem[0x1FF0] == 0x12                 # PBR
    assert mem.mem[0x1FEF] == ret >> 8             # PCH
    assert mem.mem[0x1FEE] == ret & 0xFF           # PCL
    assert mem.mem[0x1FED] == 0x09                 # P as it was
    assert cpu.s == 0x1FEC
    assert cpu.pbr == 0
    assert cpu.pc == HANDLERS[NATIVE_VECTORS[kind]]
    assert cpu.p == 0x05                           # I set, D cleared, C kept
    assert (cpu.a, cpu.x, cpu.y, cpu.dbr, cpu.d, cpu.e) == (0x1111, 0x2222, 0x3333, 0x7F, 0x0300, 0)
    if kind == "irq":
        cpu.irq(False)
    assert cpu.step() == 7                         # RTI, native
    assert (cpu.pbr, cpu.pc, cpu.p, cpu.s) == (0x12, ret, 0x09, 0x1FF0)
    assert (cpu.x, cpu.y) == (0x2222, 0x3333)


@pytest.mark.parametrize("kind", ["nmi", "irq", "abort", "brk", "cop"])
def test_emulation_interrupt_and_rti(kind):
    mem, cpu = machine(CODE.get(kind, b"\xea"), at=0x058123)
    # emulation mode in bank 5 (reached with a JML), D and C set, I clear
    cpu.set_registers(e=1, pbr=0x05, pc=0x8123, p=0x39, s=0x01F0, dbr=0x7E)
    trigger(cpu, kind)
    assert cpu.step() == 7
    ret = 0x8125 if kind in ("brk", "cop") else 0x8123
    assert mem.mem[0x01F0] == ret >> 8             # PCH
    assert mem.mem[0x01EF] == ret & 0xFF           # PCL
    pushed_p = 0x39 if kind in ("brk", "cop") else 0x29  # B set only for BRK/COP
    assert mem.mem[0x01EE] == pushed_p
    assert mem.mem[0x01ED] == 0                    # no PBR byte
    assert cpu.s == 0x01ED
    assert cpu.pbr == 0
    assert cpu.pc == HANDLERS[EMU_VECTORS[kind]]
    assert cpu.p & 0x04 and not cpu.p & 0x08
    assert cpu.p & 0x01                            # carry untouched
    assert cpu.dbr == 0x7E
    if kind == "irq":
        cpu.irq(False)
    assert cpu.step() == 6                         # RTI, emulation
    assert (cpu.pc, cpu.s) == (ret, 0x01F0)
    assert cpu.pbr == 0                            # not pulled in emulation mode
    assert cpu.p == 0x39                           # M and X (B) read as 1


def test_brk_and_irq_share_the_emulation_vector_told_apart_by_b():
    mem, cpu = machine(bytes([0x00, 0x00]))        # brk #$00
    cpu.set_registers(e=1, pc=0x8000, p=0x30, s=0x01FF)
    cpu.step()
    assert cpu.pc == 0xB400
    assert mem.mem[0x01FD] & 0x10                  # B set
    mem2, cpu2 = machine(b"\xea")
    cpu2.set_registers(e=1, pc=0x8000, p=0x30, s=0x01FF)
    cpu2.irq(True)
    cpu2.step()
    assert cpu2.pc == 0xB400
    assert not mem2.mem[0x01FD] & 0x10             # B clear
    assert mem2.mem[0x01FD] & 0x20                 # bit 5 always pushed as 1


def test_emulation_interrupt_stack_wraps_in_page_one():
    mem, cpu = machine(b"\xea")
    cpu.set_registers(e=1, pc=0x8000, p=0x30, s=0x0101)
    cpu.nmi()
    cpu.step()
    assert mem.mem[0x0101] == 0x80
    assert mem.mem[0x0100] == 0x00
    assert mem.mem[0x01FF] == 0x20                 # P (B clear) wrapped to $01FF
    assert mem.mem[0x00FF] == 0
    assert cpu.s == 0x01FE


def test_rti_native_pulling_x_set_clears_index_high_bytes():
    # stack: P=$10 (X=1), PC=$9000, PBR=$03
    mem, cpu = machine(bytes([RTI]))
    mem.load(0x1FF1, bytes([0x10, 0x00, 0x90, 0x03]))
    cpu.set_registers(e=0, pc=0x8000, p=0x00, s=0x1FF0, a=0x5678, x=0x1234, y=0xABCD)
    assert cpu.step() == 7
    assert (cpu.pbr, cpu.pc, cpu.s, cpu.p) == (0x03, 0x9000, 0x1FF4, 0x10)
    assert (cpu.x, cpu.y) == (0x0034, 0x00CD)
    assert cpu.a == 0x5678                         # A keeps both bytes


def test_rti_native_pulling_m_set_keeps_b_accumulator():
    mem, cpu = machine(bytes([RTI]))
    mem.load(0x1FF1, bytes([0x20, 0x00, 0x90, 0x00]))  # P=$20: M=1, X=0
    cpu.set_registers(e=0, pc=0x8000, p=0x00, s=0x1FF0, a=0x5678, x=0x1234)
    cpu.step()
    assert cpu.p == 0x20
    assert (cpu.a, cpu.x) == (0x5678, 0x1234)


def test_rti_emulation_keeps_m_x_and_does_not_pull_pbr():
    mem, cpu = machine(bytes([RTI]))
    mem.load(0x01F1, bytes([0x00, 0x00, 0x90, 0x07]))  # P=$00, PC=$9000, then a stray $07
    cpu.set_registers(e=1, pc=0x8000, p=0x34, s=0x01F0)
    assert cpu.step() == 6
    assert cpu.p == 0x30
    assert (cpu.pbr, cpu.pc, cpu.s) == (0x00, 0x9000, 0x01F3)


def test_nmi_ignores_i_and_is_taken_once():
    mem, cpu = machine(bytes([0xEA, 0xEA]))        # nop / nop
    cpu.set_registers(e=0, pc=0x8000, p=0x34, s=0x1FFF)
    cpu.nmi()
    assert cpu.step() == 8
    assert cpu.pc == 0xA300
    assert mem.mem[0x1FFC] == 0x34                 # pushed P had I set
    cpu.step()                                     # RTI
    assert cpu.pc == 0x8000
    assert cpu.step() == 2                         # the NOP, no second NMI
    assert cpu.pc == 0x8001


def test_irq_masked_by_i_then_taken_when_i_clears():
    mem, cpu = machine(bytes([0xE8, 0xE8, 0xE8]))  # inx / inx / inx
    cpu.set_registers(e=0, pc=0x8000, p=0x34, s=0x1FFF)
    cpu.irq(True)
    assert cpu.step() == 2                         # INX runs, IRQ masked
    assert cpu.step() == 2
    assert (cpu.pc, cpu.x) == (0x8002, 2)
    cpu.p &= ~0x04                                 # I cleared between instructions
    assert cpu.step() == 8
    assert cpu.pc == 0xA400
    assert (mem.mem[0x1FFE], mem.mem[0x1FFD]) == (0x80, 0x02)
    assert mem.mem[0x1FFC] == 0x30                 # pushed P: I clear
    assert cpu.x == 2


def test_irq_is_level_triggered():
    mem, cpu = machine(bytes([0xE8, 0xE8]))        # inx / inx
    cpu.set_registers(e=0, pc=0x8000, p=0x30, s=0x1FFF)
    cpu.irq(True)
    assert cpu.step() == 8 and cpu.pc == 0xA400
    assert cpu.step() == 7 and cpu.pc == 0x8000    # RTI restores I=0 ...
    assert cpu.step() == 8 and cpu.pc == 0xA400    # ... and the line is still low
    cpu.irq(False)
    cpu.step()                                     # RTI
    assert cpu.step() == 2                         # INX
    assert (cpu.pc, cpu.x) == (0x8001, 1)


def test_irq_dropped_before_it_is_taken_is_forgotten():
    mem, cpu = machine(bytes([0xE8, 0x58, 0xE8]))  # inx / cli / inx
    cpu.set_registers(e=0, pc=0x8000, p=0x34, s=0x1FFF)
    cpu.irq(True)
    cpu.step()
    cpu.irq(False)
    cpu.step()                                     # CLI
    cpu.step()
    assert (cpu.pc, cpu.x, cpu.s) == (0x8003, 2, 0x1FFF)


def test_nmi_has_priority_over_irq():
    mem, cpu = machine(bytes([0xEA]))
    cpu.set_registers(e=0, pc=0x8000, p=0x30, s=0x1FFF)
    cpu.irq(True)
    cpu.nmi()
    cpu.step()
    assert cpu.pc == 0xA300
    # the NMI set I, so the IRQ waits until RTI
    mem.load(0xA300, bytes([0xE8, RTI]))           # inx / rti
    assert cpu.step() == 2 and cpu.pc == 0xA301
    cpu.step()                                     # RTI (I clear again)
    assert cpu.pc == 0x8000
    cpu.step()
    assert cpu.pc == 0xA400                        # now the IRQ


@pytest.mark.parametrize("use_run", [False, True], ids=["step", "run"])
@pytest.mark.parametrize("clear_i", [b"\x58", b"\xc2\x04"], ids=["cli", "rep"])
def test_clearing_i_lets_a_pending_irq_in(clear_i, use_run):
    # inx / inx / (cli | rep #$04) / nop / nop / stp
    code = bytes([0xE8, 0xE8]) + clear_i + bytes([0xEA, 0xEA, 0xDB])
    after = 0x8002 + len(clear_i)
    mem, cpu = machine(code)
    mem.mem[0xA400] = 0xDB                         # IRQ handler: stp
    cpu.set_registers(e=0, pc=0x8000, p=0x34, s=0x1FFF)
    cpu.irq(True)
    if use_run:
        assert cpu.run().reason == "stp"
    else:
        for _ in range(20):
            if cpu.stopped:
                break
            cpu.step()
    # the IRQ is taken right after the instruction that clears I (the hardware may
    # let one more instruction through), certainly before the STP two NOPs later
    assert cpu.pc == 0xA401                        # stopped in the handler
    assert cpu.x == 2                              # masked until I was cleared
    ret = mem.mem[0x1FFD] | (mem.mem[0x1FFE] << 8)
    assert ret in (after, after + 1)
    assert mem.mem[0x1FFC] & 0x04 == 0             # pushed P: I clear
    assert cpu.s == 0x1FFB


def test_nmi_under_run():
    mem, cpu = machine(bytes([0xE8, 0x80, 0xFD]))  # loop: inx / bra loop
    mem.load(0xA300, bytes([0xA9, 0x77, 0xDB]))    # NMI handler: lda #$77 / stp
    cpu.set_registers(e=0, pc=0x8000, p=0x30, s=0x1FFF)
    res = cpu.run(max_steps=10)
    assert (res.reason, res.steps, cpu.pc, cpu.x) == ("max_steps", 10, 0x8000, 5)
    cpu.nmi()
    res = cpu.run()
    assert res.reason == "stp"
    assert res.steps == 2
    assert res.cycles == 8 + 2 + 3
    assert cpu.a & 0xFF == 0x77
    assert cpu.pc == 0xA303
    assert (mem.mem[0x1FFF], mem.mem[0x1FFE], mem.mem[0x1FFD]) == (0x00, 0x80, 0x00)


@pytest.mark.parametrize("use_run", [False, True], ids=["step", "run"])
def test_nmi_raised_by_a_bus_hook_is_taken_at_the_next_boundary(use_run):
    from triforce.cpu.snesbus import SnesBus

    bus = SnesBus(bytes(0x8000), "lorom")
    bus.load(0x008000, bytes([
        0x8D, 0x00, 0x21,       # 8000  sta $2100   (the hook raises NMI)
        0xE8, 0xE8, 0xE8,       # 8003  inx / inx / inx
        0xDB,                   # 8006  stp
    ]))
    bus.load(0x00FFFA, bytes([0x00, 0x90]))        # emulation NMI vector -> $9000
    bus.load(0x009000, bytes([0xDB]))              # handler: stp
    cpu = CPU(bus)
    cpu.set_registers(pc=0x8000, e=1, s=0x01FF)
    bus.on_write(0x2100, lambda addr, value: cpu.nmi())
    if use_run:
        assert cpu.run().reason == "stp"
    else:
        for _ in range(20):
            if cpu.stopped:
                break
            cpu.step()
    assert cpu.pc == 0x9001                        # stopped in the handler
    assert cpu.x in (0, 1)                         # right after the STA (at most one more)
    ret = bus.peek(0x0001FE) | (bus.peek(0x0001FF) << 8)
    assert ret == 0x8003 + cpu.x


# ------------------------------------------------------------------ WAI / STP / RESET


def wai_program() -> tuple[FlatMemory, CPU]:
    mem, cpu = machine(bytes([0xCB, 0xE8, 0xDB]))  # wai / inx / stp
    mem.load(0xB300, bytes([0xE6, 0x20, RTI]))     # NMI handler: inc $20 / rti
    mem.load(0xB400, bytes([0xE6, 0x21, RTI]))     # IRQ handler: inc $21 / rti
    cpu.set_registers(e=1, pc=0x8000, p=0x30, s=0x01FF)
    return mem, cpu


def test_wai_stops_run_and_nmi_resumes():
    mem, cpu = wai_program()
    res = cpu.run()
    assert (res.reason, res.steps, res.cycles, cpu.pc) == ("wai", 1, 3, 0x8001)
    assert cpu.waiting
    res = cpu.run()                                # still nothing to wake it
    assert (res.reason, res.steps, res.cycles) == ("wai", 0, 0)
    assert cpu.step() == 0 and cpu.pc == 0x8001
    cpu.nmi()
    res = cpu.run()
    assert res.reason == "stp"
    assert res.steps == 4                          # inc, rti, inx, stp
    assert res.cycles == 7 + 5 + 6 + 2 + 3
    assert mem.mem[0x20] == 1 and mem.mem[0x21] == 0
    assert (mem.mem[0x01FF], mem.mem[0x01FE]) == (0x80, 0x01)  # returns after WAI
    assert cpu.x == 1
    assert not cpu.waiting


def test_wai_irq_with_i_set_resumes_without_the_interrupt():
    mem, cpu = wai_program()
    cpu.p |= 0x04
    assert cpu.run().reason == "wai"
    cpu.irq(True)
    res = cpu.run()
    assert res.reason == "stp"
    assert res.steps == 2                          # inx, stp
    assert mem.mem[0x21] == 0                      # handler not run
    assert cpu.x == 1
    assert cpu.s == 0x01FF


def test_wai_irq_with_i_clear_takes_the_interrupt():
    mem, cpu = wai_program()
    cpu.p &= ~0x04
    assert cpu.run().reason == "wai"
    cpu.irq(True)
    res = cpu.run(until=0xB402)                    # at the handler's RTI
    assert res.reason == "until"
    assert mem.mem[0x21] == 1
    cpu.irq(False)
    res = cpu.run()
    assert res.reason == "stp"
    assert cpu.x == 1
    assert mem.mem[0x21] == 1


def test_wai_with_step():
    mem, cpu = wai_program()
    assert cpu.step() == 3                         # WAI
    assert cpu.step() == 0                         # waiting: nothing happens
    assert cpu.pc == 0x8001
    cpu.nmi()
    assert cpu.step() == 7
    assert cpu.pc == 0xB300


def test_stp_stops_for_good():
    mem, cpu = machine(bytes([0xDB, 0xE8]))        # stp / inx
    mem.load(0xB800, bytes([0xC8, 0xDB]))          # reset handler: iny / stp
    cpu.set_registers(e=1, pc=0x8000, p=0x30, s=0x01FF)
    res = cpu.run()
    assert (res.reason, res.steps, res.cycles, cpu.pc) == ("stp", 1, 3, 0x8001)
    assert cpu.stopped
    res = cpu.run()
    assert (res.reason, res.steps, res.cycles) == ("stp", 0, 0)
    assert cpu.step() == 0
    cpu.nmi()
    cpu.irq(True)
    res = cpu.run()
    assert (res.reason, res.steps) == ("stp", 0)
    assert (cpu.x, cpu.pc, cpu.s) == (0, 0x8001, 0x01FF)
    cpu.irq(False)
    cpu.reset()                                    # only RESET leaves STP
    res = cpu.run()
    assert (res.reason, res.steps, cpu.y, cpu.pc) == ("stp", 2, 1, 0xB802)


def test_reset():
    mem, cpu = machine()
    cpu.set_registers(e=0, p=0x08, s=0x1234, pbr=0x12, dbr=0x34, d=0x5678, pc=0x4321,
                      x=0xBEEF, y=0xCAFE, a=0x1357)
    cpu.reset()
    assert cpu.e == 1
    assert cpu.pc == 0xB800                        # from $FFFC
    assert cpu.pbr == 0 and cpu.dbr == 0 and cpu.d == 0
    assert cpu.p & 0x34 == 0x34                    # M, X, I set
    assert not cpu.p & 0x08                        # D clear
    assert cpu.s >> 8 == 0x01                      # stack in page 1
    assert cpu.x >> 8 == 0 and cpu.y >> 8 == 0     # 8-bit index registers
    assert cpu.variant == 7
