; expect: ok
; arch switches the instruction set; here the SPC700.
org $008000
arch spc700
	mov a,#$12
	mov $34,a
	mov x,#$00
arch 65816
	lda #$12
