; expect: error Emismatched_parentheses
org $008000
	db (1+2
