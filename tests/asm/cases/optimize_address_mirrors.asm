; expect: ok
; warnings: Woptimization_settings
; optimize address mirrors: also $00-$3F:2000-$7FFF (I/O registers) become absolute.
INIDISP = $002100
Dma = $214300
Ram = $7E0020
Sram = $700000
optimize address mirrors
org $008000
	sta INIDISP
	sta Dma
	lda Ram
	lda Sram
