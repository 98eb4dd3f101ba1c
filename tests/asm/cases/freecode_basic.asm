; expect: ok
; rom: lorom-1m
org $00803C
	autoclean jml Hook
Return:
freecode
Hook:
	lda $10
	cmp #$07
	bne +
	inc $11
+	jml Return
