; expect: ok
org $008000
	db $01
pushpc
org $018000
	db $02
pushpc
org $028000
	db $03
pullpc
	db $04
pullpc
	db $05
