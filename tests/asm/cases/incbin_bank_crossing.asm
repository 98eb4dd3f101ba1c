; expect: ok
; 32 KiB at $00:8000 fills the LoROM bank exactly (ends at $00:FFFF): no bank crossing.
org $008000
	incbin "incbin_bank_crossing/big.bin"
