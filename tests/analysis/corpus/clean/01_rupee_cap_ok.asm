; bug: none
; PHP/PLP around REP/SEP, every immediate sized for the tracked width

lorom

!rupees_goal = $7EF360

org $1CF600
; Clamp the rupee goal to 999 and refresh the HUD flag.
ClampRupeesOk:
    php
    rep #$20
    lda.l !rupees_goal
    cmp #$03E7
    bcc .ok
    lda #$03E7
    sta.l !rupees_goal
.ok
    sep #$20
    lda #$01
    sta $0207
    plp
    rtl
