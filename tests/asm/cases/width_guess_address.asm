; expect: ok
org $008000
	lda $12
	lda $0012
	lda $000012
	lda $1234
	lda $123456
	lda 18
	lda 4660
	lda 1193046
	sta $12,x
	sta $1234,x
	sta $123456,x
	ldx $12,y
	ldx $1234,y
