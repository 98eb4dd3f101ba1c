; optimize: branch-to-next
; observe: A,$7E0020-$7E0020
; saves: 3 cycles, 2 bytes
; a BRA to the very next instruction is removed

lorom

org $07EC00
; Snap Link's Y coordinate to the tile grid.
SnapLinkY:
    php
    sep #$20
    lda $20
    and #$F8
    bra .store
.store
    sta $20
    plp
    rtl
