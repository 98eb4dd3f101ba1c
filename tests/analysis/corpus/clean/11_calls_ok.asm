; bug: none
; JSR to an RTS routine, JSL to an RTL routine, balanced PHB/PHK/PLB/PLB

lorom

org $0AF200
; Read the dungeon's map marker from the bank-$0A table.
GetMarkerOk:
    phb
    phk
    plb
    ldx $040C
    lda MarkerTableOk,x
    sta $0E
    plb
    rts

MarkerTableOk:
    db $00, $02, $04, $06, $08, $0A, $0C, $0E

DrawMarker:
    php
    sep #$30
    jsr GetMarkerOk
    jsl ShowMarker
    plp
    rtl

ShowMarker:
    lda $0E
    sta $0F
    rtl
