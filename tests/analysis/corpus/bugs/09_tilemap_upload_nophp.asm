; bug: width-no-php line 9
; the subroutine switches to 16-bit A and back by guesswork instead of php/plp

lorom

org $0CF600
; Mark the BG3 tilemap for re-upload during the next NMI.
QueueTilemapUpload:
    rep #$20
    lda #$6000
    sta $0116
    lda #$0800
    sta $0118
    sep #$20
    lda #$01
    sta $0117
    rts

RefreshHud:
    php
    sep #$30
    jsr QueueTilemapUpload
    plp
    rtl
