; expect: ok
org $008000
	nop #4
assert pc() == $008004
assert 1+1 == 2, "math is broken"
