; expect: error Ebank_border_crossed
org $00FFF8
	incbin "error_incbin_bank_border/data.bin"
