; expect: ok
org $008000
Gfx:
	incbin "incbin_basic/data.bin"
.End
	dw Gfx_End-Gfx
