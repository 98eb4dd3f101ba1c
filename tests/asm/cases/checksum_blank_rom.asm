; expect: ok
; asar fixes the internal checksum ($00:FFDC-$00:FFDF) whenever the ROM reaches that far.
org $00FFC0
	db "TRIFORCE TEST        "
	db $20, $00, $08, $00, $00, $00, $00
	dw $0000, $0000
org $008000
Reset:
	sei
	stp
org $00FFFC
	dw Reset, $0000
