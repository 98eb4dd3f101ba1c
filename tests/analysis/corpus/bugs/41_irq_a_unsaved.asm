; bug: irq-save line 13
; the IRQ handler loads A without saving it first

lorom

org $00FFEE
    dw IrqSplit

org $00F780
; IRQ: darken the screen under the HUD line.
IrqSplit:
    sep #$20
    lda $4211
    lda #$08
    sta $2100
    rti
