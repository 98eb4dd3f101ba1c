; expect: error Eexpected_parameter
function f(a, b) = a+b
org $008000
	db f(1)
