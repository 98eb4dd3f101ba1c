; expect: ok
; Interrupts, mode control, block moves.
org $008000
	brk #$12            ; immediate (8-bit)
	cop #$12            ; immediate (8-bit)
	wdm #$12            ; immediate (8-bit)
	rep #$12            ; immediate (8-bit)
	sep #$12            ; immediate (8-bit)
	stp                 ; implied
	wai                 ; implied
	nop                 ; implied
	mvn $12,$34         ; block move
	mvp $12,$34         ; block move
