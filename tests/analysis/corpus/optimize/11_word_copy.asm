; optimize: word-op
; observe: $7E0012-$7E0013
; saves: 4 cycles, 4 bytes
; two 8-bit load/store pairs become one 16-bit pair

lorom

org $02EC00
; Copy the 16-bit room index to its backup.
BackupRoomIndex:
    php
    sep #$20
    lda $A0
    sta $12
    lda $A1
    sta $13
    plp
    rtl
