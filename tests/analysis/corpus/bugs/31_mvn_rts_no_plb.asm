; bug: mvn-dbr line 20
; the MVN sets DBR to $7E; the routine pushed nothing to restore the caller's bank

lorom

org $0AF600
; Load the overworld palette set (bank $0A) into the palette buffer at $7EC300.
LoadOverworldPalettes:
    php
    rep #$30
    lda $8A
    and #$00FF
    asl a
    tax
    lda.l PaletteSetPtrs,x
    tax
    ldy #$C300
    lda #$00FF
    mvn $7E,$0A
    plp
    rts

PaletteSetPtrs:
    dw $8000, $8100, $8200, $8300

PaletteHook:
    jsr LoadOverworldPalettes
    rtl
