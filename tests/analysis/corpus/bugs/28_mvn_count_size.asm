; bug: mvn-count line 14
; A holds the byte count, but MVN moves A+1 bytes

lorom

org $0DF400
; Copy the dungeon's sprite list into the working table at $7E1B00.
CopySpriteList:
    phb
    php
    rep #$30
    ldx.w #SpriteList
    ldy #$1B00
    lda.w #SpriteList_end-SpriteList
    mvn $7E,$0D
    plp
    plb
    rtl

SpriteList:
    db $05, $12, $34, $0A, $18, $20, $FF
.end
