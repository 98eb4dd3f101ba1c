; expect: ok
org $008000 ; comment after a command
	lda #$01	; tab then comment
;	lda #$02
	db ";", $03 ; a semicolon inside a string is data
