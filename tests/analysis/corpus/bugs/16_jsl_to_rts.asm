; bug: call-return-mismatch line 22
; JSL to a routine that returns with RTS pulls only two of the three return bytes

lorom

org $05F700
; Give the player a small key if the room flag is set.
AwardKey:
    php
    sep #$20
    lda $0403
    and #$10
    beq .no_key
    lda $7EF36F
    inc a
    sta $7EF36F
.no_key
    plp
    rts

ChestHook:
    jsl AwardKey
    rtl
