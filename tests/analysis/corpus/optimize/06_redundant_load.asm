; optimize: redundant-load
; observe: A,$7E0012-$7E0012,$7E0014-$7E0014
; saves: 3 cycles, 2 bytes
; A still holds $10 when it is loaded again

lorom

org $02E800
; Copy the game mode into the two "previous mode" slots.
SaveGameMode:
    php
    sep #$20
    lda $10
    sta $12
    lda $10
    sta $14
    plp
    rtl
