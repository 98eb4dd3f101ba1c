; expect: ok
; .b/.w/.l force the operand size.
org $008000
	lda.b #0
	lda.w #0
	lda.b $1234
	lda.w $12
	lda.l $12
	sta.l $7E0010,x
	jml.l $008000
	ldx.w #$12
	LDA.W #$12
