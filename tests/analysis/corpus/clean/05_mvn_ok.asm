; bug: none
; MVN from ROM to WRAM with the destination bank first, count size-1, PHB/PLB around it

lorom

org $0DF600
; Copy the dungeon's sprite list into the working table at $7E1B00.
CopySpriteListOk:
    phb
    php
    rep #$30
    ldx.w #SpriteListOk
    ldy #$1B00
    lda.w #SpriteListOk_end-SpriteListOk-1
    mvn $7E,$0D
    plp
    plb
    rtl

SpriteListOk:
    db $05, $12, $34, $0A, $18, $20, $FF
.end
