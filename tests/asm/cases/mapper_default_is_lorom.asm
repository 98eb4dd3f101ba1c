; expect: ok
; No mapper command: asar uses LoROM ($01:8000 -> PC 0x8000).
org $018000
	db $91
org $008000
	db $90
