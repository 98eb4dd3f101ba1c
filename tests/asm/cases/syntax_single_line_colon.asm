; expect: ok
; " : " separates statements on one line.
org $008000
	lda #$00 : sta $00 : sta $01
	rep #$20 : lda #$1234 : sep #$20
