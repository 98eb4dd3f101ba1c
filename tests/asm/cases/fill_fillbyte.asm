; expect: ok
org $008000
	fill 3
fillbyte $FF
	fill 4
fillbyte $1234
	fill 2
