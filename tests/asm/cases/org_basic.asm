; expect: ok
; org moves the pc; later orgs may go backwards and overwrite.
org $008000
	db $01,$02,$03,$04
org $008010
	db $05
org $008002
	db $AA
org $8020
	db $06
