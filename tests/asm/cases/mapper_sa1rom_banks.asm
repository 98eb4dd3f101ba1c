; expect: ok
; SA-1 with a custom super MMC bank assignment.
sa1rom 0,1,4,6
org $008000
	db $51
org $208000
	db $52
org $808000
	db $53
org $A08000
	db $54
