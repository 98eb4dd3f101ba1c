; expect: ok
org $008000
Main:
	jsl Elsewhere
pushpc
org $018000
Elsewhere:
	lda #$01
	rtl
pullpc
	bra Main
