; expect: ok
org $008000
fillbyte $EE
	db $01
	fill align 8
	db $02
	fill align 16 offset 3
	db $03
