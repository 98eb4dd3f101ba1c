; bug: stack-unbalanced line 17
; the early exit returns with the saved X still on the stack

lorom

org $06F200
; Damage the sprite in slot X by the amount in A, unless it is invincible.
DamageSprite:
    phx
    php
    sep #$30
    sta $00
    lda $0E60,x
    and #$40               ; invincible flag
    beq .hurt
    plp
    rtl
.hurt
    lda $0E50,x
    sec
    sbc $00
    sta $0E50,x
    plp
    plx
    rtl
