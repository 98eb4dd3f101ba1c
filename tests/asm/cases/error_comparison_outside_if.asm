; expect: error Eunknown_operator
; Comparison operators only exist in conditions (if/while/assert), not in data.
org $008000
	db 3==3
