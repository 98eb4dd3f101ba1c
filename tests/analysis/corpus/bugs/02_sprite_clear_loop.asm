; bug: imm-width line 11
; 16-bit index register loaded with an 8-bit immediate; the next opcode is swallowed

lorom

org $0DF200
; Wipe the sixteen sprite slots' state bytes before a room transition.
ClearSpriteSlots:
    php
    rep #$30
    ldx #$0F
.loop
    stz $0DD0,x
    stz $0E20,x
    stz $0F50,x
    dex
    bpl .loop
    plp
    rtl
