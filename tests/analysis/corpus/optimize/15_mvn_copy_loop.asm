; optimize: mvn
; observe: $7E1100-$7E113F
; saves: 146 cycles, -1 bytes
; a word copy loop becomes MVN (with PHB/PLB)

lorom

org $0DEA00
; Copy the 64-byte room flag block from $7E1000 to $7E1100.
CopyRoomFlags:
    php
    rep #$30
    ldx #$003E
.loop
    lda $1000,x
    sta $1100,x
    dex
    dex
    bpl .loop
    plp
    rtl
