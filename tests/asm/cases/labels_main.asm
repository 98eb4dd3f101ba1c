; expect: ok
org $008000
Start:
	lda #$00
Loop:
	bra Loop
	jmp Start
	dw Start, Loop, End
End:
