Helper:
	lda NotDefinedAnywhere
	rts
