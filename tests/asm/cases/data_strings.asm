; expect: ok
org $008000
	db "ABC"
	dw "AB"
	dl "A"
	dd "A"
	db "Mixed",$00,"with",10,"bytes"
	db 'x','x'+1
