; expect: ok
asar 1.91
org $008000
	db 1+2*3
