; expect: ok
; warnings: W65816_yy_x_does_not_exist
; ($12),x does not exist: asar treats the parentheses as math, giving $12,x.
org $008000
	lda ($12),x
