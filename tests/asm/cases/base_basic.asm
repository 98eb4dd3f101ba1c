; expect: ok
; base changes the address labels get, not where bytes are written.
org $008000
	jsl InRam
	dl InRam
Copy:
base $7E2000
InRam:
	lda InRam
	jmp InRam
.Loop:
	bra .Loop
base off
After:
	dw After, InRam_Loop
