; expect: ok
; LoROM: $00:8000 is PC 0, each bank holds 32 KiB at $8000-$FFFF; $80+ mirrors $00+.
lorom
org $008000
	db $01,$02
org $018000
	db $03
org $808010
	db $04
org $C08020
	db $05
org $400000+$8030
	db $06
