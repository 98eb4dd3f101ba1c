; expect: ok
; .sub labels belong to the last main label; Main_sub reaches them from anywhere.
org $008000
Proc1:
	nop
.Loop:
	bra .Loop
Proc2:
	nop
.Loop
	bra .Loop
Table:
	dw Proc1_Loop, Proc2_Loop
