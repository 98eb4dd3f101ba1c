; expect: ok
; ExHiROM: $C0-$FF is the first 4 MiB, $40-$7D the second 4 MiB.
exhirom
org $C00000
	db $31
org $C10000
	db $32
org $400000
	db $33
org $008000
	db $34
