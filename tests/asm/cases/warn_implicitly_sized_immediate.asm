; expect: ok
; warnings: Wimplicitly_sized_immediate
; The disabled-by-default warning can be enabled from the source.
warnings enable Wimplicitly_sized_immediate
org $008000
	lda #$12
	lda #18
	lda.b #18
