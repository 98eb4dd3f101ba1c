; bug: decimal-left-set line 18
; SED for the BCD timer with no CLD before RTS

lorom

org $0CFA00
; Tick the race timer (BCD seconds), called with 8-bit A.
TickRaceTimer:
    sed
    lda $7E0F80
    clc
    adc #$01
    cmp #$60
    bcc .store
    lda #$00
.store
    sta $7E0F80
    rts

TimerHook:
    php
    sep #$20
    jsr TickRaceTimer
    plp
    rtl
