; expect: ok
; A line ending in a comma continues on the next line.
org $008000
	db $01, $02,
	   $03, $04
	dw $1234,
	   $5678
