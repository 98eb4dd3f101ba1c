; expect: error Epushpc_without_pullpc
org $008000
pushpc
org $018000
	nop
