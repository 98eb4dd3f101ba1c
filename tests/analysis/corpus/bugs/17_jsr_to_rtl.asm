; bug: call-return-mismatch line 23
; JSR to a routine ending in RTL pulls an extra byte as the bank

lorom

org $09F300
; Play the item fanfare and lock Link in place.
PlayFanfare:
    php
    sep #$20
    lda #$0F
    sta $012C
    lda #$01
    sta $02E4
    plp
    rtl

OpenChest:
    php
    sep #$20
    lda #$02
    sta $0308
    jsr PlayFanfare
    plp
    rtl
