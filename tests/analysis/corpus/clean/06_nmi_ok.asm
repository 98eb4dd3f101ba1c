; bug: none
; NMI handler behind the native vector: saves A/X/Y/DBR/D, ends in RTI

lorom

org $00FFEA
    dw NmiOk

org $00E300
; NMI: acknowledge, switch to bank $00 and D=0, bump the frame counter.
NmiOk:
    rep #$30
    pha
    phx
    phy
    phb
    phd
    lda #$0000
    tcd
    sep #$20
    pha
    plb
    lda $4210
    inc $1A
    ldx $1A
    stx $0E
    rep #$30
    pld
    plb
    ply
    plx
    pla
    rti
