; expect: ok
; warnings: Wset_middle_byte
; In LoROM an org in $40-$6F below $8000 is suspicious.
lorom
org $408000
	db 1
org $410000
	db 2
