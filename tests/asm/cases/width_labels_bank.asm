; expect: ok
; Labels: same bank -> absolute, other bank -> long; immediates of labels are 16-bit
; unless written Label>>16.
org $008000
Here:
	lda Here
	lda There
	lda #Here
	lda #There>>16
	lda #bank(There)
	ldx #Here
	dl There
org $058000
There:
	lda Here
	lda There
