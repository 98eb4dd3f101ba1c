; expect: ok
; warnings: Woptimization_settings
; optimize dp ram: labels in bank $7E within dpbase..dpbase+$FF use direct page.
SpriteTable = $7E0200
Other = $7E0310
Low = $7E0010
dpbase $0200
optimize dp ram
org $008000
	lda SpriteTable,x
	lda SpriteTable+4
	lda Other
	lda Low
optimize dp none
	lda SpriteTable,x
