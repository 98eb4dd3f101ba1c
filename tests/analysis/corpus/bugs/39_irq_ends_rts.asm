; bug: irq-rts line 20
; the H-IRQ handler ends in RTS

lorom

org $00FFEE
    dw IrqHandler          ; native IRQ vector

org $00F680
; H/V IRQ: switch BG mode for the status bar split.
IrqHandler:
    rep #$30
    pha
    sep #$20
    lda $4211
    lda #$09
    sta $2105
    rep #$20
    pla
    rts
