; expect: error Eassertion_failed
org $008000
	fill 300
assert pc() <= $008100, "routine too big: ", hex(pc())
