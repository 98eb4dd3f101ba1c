; expect: ok
org $008000
	db -1, -128
	dw -1, -2
	dl -1
	dd -1
