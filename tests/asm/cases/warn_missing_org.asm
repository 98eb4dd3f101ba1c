; expect: ok
; warnings: Wmissing_org
	db $12,$34
	lda #$56
