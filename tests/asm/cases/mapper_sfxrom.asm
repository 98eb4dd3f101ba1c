; expect: ok
; Super FX mapping: $00-$3F:8000 LoROM-style, $40-$5F HiROM-style.
sfxrom
org $008000
	db $81
org $018000
	db $82
org $400000
	db $83
