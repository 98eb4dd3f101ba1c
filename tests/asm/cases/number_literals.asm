; expect: ok
org $008000
	db $1F, %00011111, 31, 'A'
	dw $ABCD, %1010101111001101
	db $f, $F
