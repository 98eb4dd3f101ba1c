; bug: mvn-count line 17
; 512 bytes loaded as $0200; MVN copies 513 and clobbers the byte after the buffer

lorom

!backup = $7F5000
!size = $0200

org $0EF200
; Back up the HUD tilemap at $7EC700 before the map screen draws over it.
BackupHudTilemap:
    phb
    php
    rep #$30
    ldx #$C700
    ldy.w #!backup
    lda #!size
    mvn $7F,$7E
    plp
    plb
    rtl
