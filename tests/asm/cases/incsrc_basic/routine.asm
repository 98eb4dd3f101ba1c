Routine:
	lda #$FF
	sta $00
	rts
