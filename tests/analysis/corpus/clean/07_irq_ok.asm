; bug: none
; IRQ handler saving A before use and returning with RTI

lorom

org $00FFEE
    dw IrqOk

org $00E400
; IRQ: switch to mode 1 below the status bar.
IrqOk:
    rep #$20
    pha
    sep #$20
    lda $4211
    lda #$09
    sta $2105
    rep #$20
    pla
    rti
