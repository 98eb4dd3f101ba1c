; bug: stack-unbalanced line 20
; the data bank is pulled twice but pushed once, so RTS takes a wrong return address

lorom

org $0AF000
; Read the dungeon's map marker from the bank-$0A table.
GetMapMarker:
    phb
    phk
    plb
    php
    sep #$30
    ldx $040C
    lda MarkerTable,x
    sta $0E
    plp
    plb
    plb
    rts

MarkerTable:
    db $00, $02, $04, $06, $08, $0A, $0C, $0E

MapHook:
    jsr GetMapMarker
    rtl
