; expect: ok
; warnings: W65816_xx_y_assume_16_bit
; lda has no dp,y mode: asar uses abs,y.
org $008000
	lda $12,y
	sta $34,y
