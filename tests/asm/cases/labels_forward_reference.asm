; expect: ok
; Forward references resolve on later passes; their width is guessed from the bank.
org $008000
	jsr Later
	jsl FarAway
	lda Later
	lda FarAway
	bra Later
Later:
	rts
org $028000
FarAway:
	rtl
