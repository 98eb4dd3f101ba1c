; bug: writeonly-read line 11
; INIDISP ($2100) is write-only; the brightness must come from the RAM mirror $13

lorom

org $00FB80
; Dim the screen by one step for the pause menu.
DimScreen:
    php
    sep #$20
    lda $2100
    and #$0F
    beq .done
    dec a
    sta $2100
    sta $13
.done
    plp
    rtl
