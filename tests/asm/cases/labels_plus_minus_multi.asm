; expect: ok
; ++ and -- are separate chains from + and -.
org $008000
--	ldy #$08
-	dey
	bne -
	dex
	bpl --
	bra ++
	bra +
+	nop
++	nop
	bra +++
+++	rts
