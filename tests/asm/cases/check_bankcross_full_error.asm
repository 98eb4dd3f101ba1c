; expect: error Ebank_border_crossed
; Default "check bankcross full": writing past $xx:FFFF is an error.
org $00FFFE
	db 1,2,3
