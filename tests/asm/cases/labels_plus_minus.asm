; expect: ok
; + is the next + label, - the previous - label.
org $008000
	ldx #$04
-	dex
	bne -
	lda $10
	beq +
	inc $10
+	rts
-:
	bra -
+:
	bra +
+	nop
