; bug: width-no-php line 9
; the helper changes the index width and resets it with sep #$10 instead of saving P

lorom

org $0DF900
; Copy the sprite's speed from the per-type table (called from 8-bit sprite code).
SetSpriteSpeed:
    rep #$10
    ldy $0E20,x
    lda SpeedTable,y
    sta $0D50,x
    sep #$10
    rts

SpeedTable:
    db $08, $10, $18, $20, $F8, $F0, $E8, $E0

SpriteMain:
    php
    sep #$30
    jsr SetSpriteSpeed
    plp
    rtl
