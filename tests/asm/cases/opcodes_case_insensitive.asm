; expect: ok
; Mnemonics, registers and hex digits are case-insensitive.
org $008000
	LDA #$ab
	lda #$AB
	LdA $12,X
	STA ($12),Y
	sta ($12,S),y
	Jml [$FFFC]
	MVN $7e,$7F
