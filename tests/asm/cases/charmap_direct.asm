; expect: ok
; 'c' = value remaps a character for strings and character literals.
'A' = $00
'B' = $01
'C' = $20+2
' ' = $7F
org $008000
	db "ABC CAB"
	db 'A','C'
	lda #'B'
