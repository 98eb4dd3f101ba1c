; bug: mvn-order line 15
; banks swapped: asar takes the destination first, so this copies WRAM into ROM bank $0C

lorom

org $0CF800
; Copy the default save file template from ROM into the SRAM mirror at $7EF000.
LoadSaveTemplate:
    php
    phb
    rep #$30
    ldx.w #SaveTemplate
    ldy #$F000
    lda.w #SaveTemplate_end-SaveTemplate-1
    mvn $0C,$7E
    plb
    plp
    rtl

SaveTemplate:
    db $00, $00, $03, $18, $18, $00, $00, $00
    db $01, $00, $00, $00, $00, $00, $00, $00
.end
