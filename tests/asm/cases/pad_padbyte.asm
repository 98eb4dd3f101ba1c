; expect: ok
org $008000
	db $01
padbyte $FF
	pad $008004
	db $02
	pad $008004
	db $03
