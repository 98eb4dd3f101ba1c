; expect: ok
; Filling a LoROM bank exactly up to $FFFF is fine.
org $00FFFC
	db 1,2,3,4
