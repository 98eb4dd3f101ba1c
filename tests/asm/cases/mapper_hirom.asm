; expect: ok
; HiROM: $C0:0000 is PC 0, banks hold 64 KiB; $00-$3F:8000-$FFFF mirror the upper halves.
hirom
org $C00000
	db $11,$12
org $008000
	db $13
org $C18000
	db $14
org $400010
	db $15
org $808020
	db $16
