; bug: none
; an early exit that pulls what it pushed

lorom

org $06F400
; Damage the sprite in slot X by the amount in A unless it is invincible.
DamageSpriteOk:
    phx
    php
    sep #$30
    sta $00
    lda $0E60,x
    and #$40
    beq .hurt
    plp
    plx
    rtl
.hurt
    lda $0E50,x
    sec
    sbc $00
    sta $0E50,x
    plp
    plx
    rtl
