; expect: ok
org $008000
Main:
.Sub:
	nop
..Deeper:
	nop
...Deepest:
	nop
	bra ..Deeper
.Other:
	bra .Sub_Deeper
	dw Main_Sub_Deeper_Deepest, Main_Other
