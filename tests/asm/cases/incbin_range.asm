; expect: ok
; start..end (end exclusive; 0 means the end of the file), both math.
org $008000
	incbin "incbin_range/data.bin":$9..$F
	incbin "incbin_range/data.bin":$1E..0
	incbin "incbin_range/data.bin":2+3..8
