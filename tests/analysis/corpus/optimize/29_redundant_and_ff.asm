; optimize: redundant-and
; observe: A,P.Z,P.N,$7E0012-$7E0012
; saves: 2 cycles, 2 bytes
; AND #$FF with an 8-bit accumulator changes nothing the LDA did not already set

lorom

org $02F600
; Copy the frame counter's low byte.
CopyFrame:
    php
    sep #$20
    lda $1A
    and #$FF
    sta $12
    plp
    rtl
