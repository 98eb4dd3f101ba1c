; expect: ok
; Full SA-1 mapping (up to 8 MiB).
fullsa1rom
org $008000
	db $61
org $C00000
	db $62
org $C80000
	db $63
