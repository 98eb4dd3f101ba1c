; expect: ok
; bank tells the label optimizer which data bank to assume.
org $008000
	lda Data,x
bank $01
	lda Data,x
	lda Far,x
bank noassume
	lda Data,x
bank auto
	lda Data,x
Data:
	db 1,2,3
org $018000
Far:
	db 4
