; bug: imm-width line 22
; 8-bit accumulator compared against a word immediate; the high byte is executed as an opcode

lorom

!rupees_goal = $7EF360
!rupees_shown = $7EF362

org $1CF500
; Clamp the rupee goal and the displayed counter to 999 after a chest reward.
ClampRupees:
    php
    rep #$20
    lda.l !rupees_goal
    cmp #$03E7
    bcc .goal_ok
    lda #$03E7
    sta.l !rupees_goal
.goal_ok
    sep #$20
    lda.l !rupees_shown+1
    cmp #$0003
    bcc .done
    lda #$03
    sta.l !rupees_shown+1
.done
    plp
    rtl
