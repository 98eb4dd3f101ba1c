; bug: irq-rts line 23
; the NMI handler returns with RTL instead of RTI, so P is never pulled

lorom

org $00FFEA
    dw NmiHandler          ; native NMI vector

org $00F600
; NMI: acknowledge, bump the frame counter and return.
NmiHandler:
    rep #$30
    pha
    phx
    phy
    sep #$20
    lda $4210
    inc $1A
    rep #$30
    ply
    plx
    pla
    rtl
