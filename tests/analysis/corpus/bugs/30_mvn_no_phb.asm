; bug: mvn-dbr line 15
; MVN leaves DBR at $7E and nothing restores it before the return

lorom

org $02F600
; Duplicate the room's tile attributes into the collision mirror.
MirrorAttributes:
    php
    rep #$30
    ldx #$2000
    ldy #$3000
    lda #$0FFF
    mvn $7F,$7F
    plp
    rtl
