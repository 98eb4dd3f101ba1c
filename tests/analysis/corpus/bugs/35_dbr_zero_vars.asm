; bug: dbr-assumption line 19
; DBR is set to $00 for register access, then $7E5000 is written with absolute addressing

lorom

!shadow_counter = $7E5000

org $00F500
; Count lag frames in the NMI hook.
CountLagFrame:
    phb
    php
    sep #$20
    lda #$00
    pha
    plb
    lda $4210
    rep #$20
    inc.w !shadow_counter&$FFFF
    plp
    plb
    rtl
