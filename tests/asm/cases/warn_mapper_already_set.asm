; expect: ok
; warnings: Wmapper_already_set
lorom
org $008000
	db 1
hirom
org $C00000
	db 2
