; expect: ok
; "asar 1.90" or newer at the top switches the defaults to math pri on / math round off.
asar 1.90
org $008000
	db 5+6*2
	db (3/4)+1.75
