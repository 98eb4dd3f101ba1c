; expect: ok
; Every branch, backward and forward.
org $008000
Back:
	bcc Back            ; relative
	bcs Back
	beq Back
	bmi Back
	bne Back
	bpl Back
	bra Back
	bvc Back
	bvs Back
	brl Back            ; relative long
	bcc Fwd
	bcs Fwd
	beq Fwd
	bmi Fwd
	bne Fwd
	bpl Fwd
	bra Fwd
	bvc Fwd
	bvs Fwd
	brl Fwd
	nop
Fwd:
	rts
