; expect: ok
; { and } are accepted and ignored; they need not even match.
org $008000
Main:
	lda $00
	beq .Zero
	{
		dec $00
	}
.Zero:
	{
	rts
