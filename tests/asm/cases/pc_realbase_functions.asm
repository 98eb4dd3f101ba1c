; expect: ok
; pc() is the current (based) address, realbase() the real one.
org $008000
	dl pc()
base $7F0000
	dl pc()
	dl realbase()
base off
	dl pc()
	assert pc() == $00800C
