; expect: ok
; warnings: Wfeature_deprecated
; The old "start-end" hex range still works but is deprecated.
org $008000
	incbin "incbin_range_deprecated/data.bin":2-6
