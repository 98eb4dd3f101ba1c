; bug: irq-save line 16
; the NMI handler saves A but uses X without saving it

lorom

org $00FFEA
    dw NmiSaveA

org $00F700
; NMI: upload the OAM high table counter and acknowledge.
NmiSaveA:
    rep #$30
    pha
    sep #$20
    lda $4210
    ldx $0100
    stx $2102
    lda $1A
    inc a
    sta $1A
    rep #$30
    pla
    rti
