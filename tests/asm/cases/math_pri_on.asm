; expect: ok
; warnings: Wfeature_deprecated
math pri on
org $008000
	db 5+6*2
	db 6*2+5
	db 1+(6/3)*5
	db 2+3<<1
	dw $100-$10/2
	db 2**3+1
	db 1|2&3
